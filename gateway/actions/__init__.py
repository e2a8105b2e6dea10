"""Every change an admin or a user can make, one place each.

An action is one function that runs in one database transaction, raises a typed
error (a subclass of `ActionError`) when it refuses, and writes an audit record
(gateway/actions/audit.py) in the same transaction: who did it, how (cli, web,
api, sms, phone), when and to which account. The `callbox` command, the web pages,
the JSON API and the SMS commands are thin callers of these functions, so an action
behaves the same from everywhere.
"""
