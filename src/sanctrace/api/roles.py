"""Roles and the permissions they grant: the one table that says who may do what.

Roles follow the issue: analysts work alerts and cases, supervisors are the four-eyes approvers,
auditors read everything including the audit log but change nothing, admins manage users, lists and
rules. Admins deliberately do not work or approve cases (separation of duties), and the withdrawal
service calls decisions with an analyst token.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Perm(StrEnum):
    READ = "read"  # GET of lists, entities, chain, alerts, cases, reports, dashboard
    SCREEN = "screen"  # run screening queries
    DECIDE = "decide"  # deposit / withdrawal decisions (each one is an audit event)
    CASE_WORK = "case.work"  # assign, note, attach, escalate, close
    CASE_APPROVE = "case.approve"  # the four-eyes approval
    AUDIT_READ = "audit.read"
    LISTS_WRITE = "lists.write"
    RULES_WRITE = "rules.write"
    USERS_ADMIN = "users.admin"


GRANTS: dict[Role, frozenset[Perm]] = {
    Role.ANALYST: frozenset({Perm.READ, Perm.SCREEN, Perm.DECIDE, Perm.CASE_WORK}),
    Role.SUPERVISOR: frozenset({Perm.READ, Perm.SCREEN, Perm.DECIDE, Perm.CASE_WORK, Perm.CASE_APPROVE,
                                Perm.AUDIT_READ}),
    Role.AUDITOR: frozenset({Perm.READ, Perm.AUDIT_READ}),
    Role.ADMIN: frozenset({Perm.READ, Perm.SCREEN, Perm.AUDIT_READ, Perm.LISTS_WRITE, Perm.RULES_WRITE,
                           Perm.USERS_ADMIN}),
}


def allowed(role: Role, perm: Perm) -> bool:
    return perm in GRANTS[role]
