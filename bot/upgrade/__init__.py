"""Package upgrade: kpt's three-way package merge (``kpt pkg update``) with a conflict report.

The engine call is :func:`bot.upgrade.engine.update_package` (its docstring holds the contract);
``porchbot pkg update`` is :mod:`bot.upgrade.command`.
"""
