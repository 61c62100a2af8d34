"""Name validity and a user's ranks across target groups (the connected-org twins reuse v3 behaviours)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.mock import rules
from contracts.mock.handlers import Call, behaviour
from contracts.mock.store import JSONObject


@behaviour("check-name")
def check_name(call: Call) -> Any:
    """True when the name is unused (case-insensitive) among the entities of that kind."""
    names = rules.name_kinds(call).get(call.body["type"], [])
    return str(call.body["value"]).casefold() not in {n.casefold() for n in names if isinstance(n, str)}


def _zoned_now() -> str:
    """Now as the leaderboards write it, the zone as letters (ZonedTimestamp)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}UTC"


@behaviour("user-ranks")
def user_ranks(call: Call) -> Any:
    """The user's rank on each requested rule (the enrolment projected onto the rank schema, plus the rank
    and the target's id as ``targetRuleId``); unknown or disabled ones are code-less warnings."""
    user, store = call.params["userId"], call.store
    most = int(call.facts.arg("ranked-rules-limit", "limit"))
    ranks: list[JSONObject] = []
    warnings = []
    if len(call.body) > most:
        warnings.append(
            f"Maximum number of target rules allowed is {most}, only first {most} target rules will be considered"
        )
    rank_shape = call.shape.prop("userRanks").item()
    for item in call.body[:most]:
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
                            **rank_shape.project(enrolment),
                            "targetRuleId": rule_id,
                            "rank": rank,
                            "totalUsersInTargetGroup": len(enrolled),
                        }
                    )
    call.extra["warnings"] = [{"code": None, "message": m} for m in warnings] or None
    return {"lastSyncTime": _zoned_now(), "customerId": user, "userEnrichmentDetails": {}, "userRanks": ranks}
