"""The pages found in round 2: name validity, a user's ranks, and the connected-orgs (v3.1) twins.

Kept simple on purpose (the mock is to become spec-driven): the v3.1 twins check their DATA-SCOPE
headers and then do what the v3 operation does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.mock.handlers import Call, handles, users
from contracts.mock.replies import Reply
from contracts.mock.store import JSONObject

DATA_SCOPE_ALL, CONNECTED_ORGS_HEADERS = 310141, 310144
MAX_RULES = 25
"""The user-ranks page considers at most 25 target rules and says so in a warning."""


def _scope(call: Call) -> None:
    """DATA-SCOPE ALL is refused (310141); OTHER needs the DATA-SCOPE-ORG it applies to (310144)."""
    scope = call.params.get("DATA-SCOPE")
    if scope == "ALL":
        raise Reply(DATA_SCOPE_ALL)
    if scope == "OTHER" and not call.params.get("DATA-SCOPE-ORG"):
        raise Reply(CONNECTED_ORGS_HEADERS, "DATA-SCOPE OTHER without DATA-SCOPE-ORG")


@handles("connectedorgs-enroll-customer-milestone-or-streak")
def connected_enrol(call: Call) -> Any:
    _scope(call)
    return users.enrol(call)


@handles("connectedorgs-unenroll-customer-milestone-or-streak")
def connected_unenrol(call: Call) -> Any:
    _scope(call)
    return users.unenrol(call)


@handles("connectedorgs-get-associated-target-groups-of-a-user")
def connected_user_target_groups(call: Call) -> Any:
    return users.get_user_target_groups(call)


def _names(call: Call, kind: str) -> set[str]:
    store = call.store
    if kind == "targetGroupName":
        found = [g.get("name") for g in store.groups.values()]
    elif kind == "streakName":
        found = [g.get("name") for g in store.groups.values() if g.get("trackingType") == "STREAKS"]
    elif kind == "streakLevelName":
        found = [s.get("name") for s in store.streaks.values()]
    elif kind == "targetName":
        found = [t.get("name") for t in store.targets.values()]
    else:  # periodName: a period is named by its refCode
        found = [p.get("refCode") for p in store.periods.values()]
    return {n.casefold() for n in found if isinstance(n, str)}


@handles("check-validity-of-milestone-name")
def check_name(call: Call) -> Any:
    """True when the name is unused (case-insensitive) among the entities of that kind."""
    return str(call.body["value"]).casefold() not in _names(call, call.body["type"])


def _zoned_now() -> str:
    """Now as the leaderboards write it, the zone as letters (ZonedTimestamp)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}UTC"


@handles("get-user-ranks-across-target-groups")
def user_ranks(call: Call) -> Any:
    """The user's rank on each requested rule; unknown or disabled ones are code-less warnings."""
    user, store = call.params["userId"], call.store
    ranks: list[JSONObject] = []
    warnings = []
    if len(call.body) > MAX_RULES:
        warnings.append(
            f"Maximum number of target rules allowed is {MAX_RULES}, only first {MAX_RULES} target rules will be considered"
        )
    for item in call.body[:MAX_RULES]:
        group_id, rule_id = item["targetGroupId"], item["targetRuleId"]
        group, target = store.groups.get(group_id), store.targets.get(rule_id)
        if group is None:
            warnings.append(f"Target group id {group_id} not found or deactivated")
        elif not group.get("leaderboardEnabled"):
            warnings.append(f"Leaderboard is not enabled for the target group id {group_id}")
        elif target is None or target.get("targetGroupId") != group_id:
            warnings.append(f"Target rule id {rule_id} does not belong to target group id {group_id}")
        else:
            enrolled = sorted(
                (e for (tid, _), e in store.enrolments.items() if tid == rule_id),
                key=lambda e: -e["achievedValue"],
            )
            for rank, enrolment in enumerate(enrolled, start=1):
                if enrolment["customerId"] == user:
                    ranks.append(
                        {
                            "targetGroupId": group_id,
                            "targetRuleId": rule_id,
                            "achievedValue": enrolment["achievedValue"],
                            "rank": rank,
                            "totalUsersInTargetGroup": len(enrolled),
                        }
                    )
    call.extra["warnings"] = [{"code": None, "message": m} for m in warnings] or None
    return {"lastSyncTime": _zoned_now(), "customerId": user, "userEnrichmentDetails": {}, "userRanks": ranks}
