"""Package discovery for the root layout: core/, plugins/, cli/ and testing/ install as yizhan.*."""

from setuptools import find_namespace_packages, find_packages, setup

ROOTS = {"core": "yizhan.core", "plugins": "yizhan.plugins", "cli": "yizhan.cli",
         "testing": "yizhan.testing"}

packages = []
for folder, prefix in ROOTS.items():
    packages.append(prefix)
    packages.extend(f"{prefix}.{name}" for name in find_packages(folder))

# The plugin scaffold's templates are data folders (no __init__.py): list them as packages too,
# so setuptools ships their *.tmpl files without warning about "ambiguous" namespace packages.
templates = find_namespace_packages("cli", include=["templates*"])
packages.extend(f"yizhan.cli.{name}" for name in templates)
# Likewise GraphiQL's built files, served from the package (core/static/graphiql).
static = find_namespace_packages("core", include=["static*"])
packages.extend(f"yizhan.core.{name}" for name in static)

setup(packages=packages)
