"""yizhan-hello: the smallest complete third-party Yizhan plugin (greeting + guestbook)."""

#: The plugin's name, used everywhere it is needed (the spec, switches, table prefix, CLI).
NAME = "hello"
