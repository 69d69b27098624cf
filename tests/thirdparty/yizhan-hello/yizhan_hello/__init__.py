"""yizhan-hello: the smallest complete third-party Yizhan plugin (greeting + guestbook)."""
