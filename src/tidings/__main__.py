from tidings.cli import entry

entry()
