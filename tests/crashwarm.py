"""Imported by the crash test's fork server (see crashwriter.PRELOAD): the writers it forks
start with newsmon imported and warmed up."""

import crashwriter

crashwriter.warm()
