"""Package discovery for the root layout: core/, plugins/, cli/ and testing/ install as yizhan.*."""

from setuptools import find_packages, setup

ROOTS = {"core": "yizhan.core", "plugins": "yizhan.plugins", "cli": "yizhan.cli",
         "testing": "yizhan.testing"}

packages = []
for folder, prefix in ROOTS.items():
    packages.append(prefix)
    packages.extend(f"{prefix}.{name}" for name in find_packages(folder))

setup(packages=packages)
