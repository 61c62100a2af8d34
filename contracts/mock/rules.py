"""The business rules the spec cannot state as schema: one function each, named as ``x-rules`` names it.

An operation lists the rules it applies in ``x-rules`` (``{"rule": name, "code": n}``): the code a
refusal answers with and any argument live there, and enum values a rule reacts to are the roles
of ``x-value-roles`` on the enum component. So a rule names no operation, code or enum value;
removing a rule from an operation's ``x-rules`` switches it off there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from contracts.mock.replies import Reply
from contracts.mock.store import JSONObject

if TYPE_CHECKING:
    from contracts.mock.handlers import Call

RequestRule = Callable[["Call"], None]
REQUEST_RULES: dict[str, RequestRule] = {}
"""Rules that judge the request alone; the app runs those an operation lists before its behaviour."""


def request_rule(name: str) -> Callable[[RequestRule], RequestRule]:
    def register(function: RequestRule) -> RequestRule:
        REQUEST_RULES[name] = function
        return function

    return register


@request_rule("data-scope-refused")
def data_scope_refused(call: Call) -> None:
    """Connected orgs (v3.1 enrol/unenrol pages): a write with DATA-SCOPE ALL is refused."""
    header = call.facts.arg("data-scope-refused", "header")
    if call.params.get(header) in call.roles("DataScope", "refused"):
        raise call.refuse("data-scope-refused")


@request_rule("data-scope-org-required")
def data_scope_org_required(call: Call) -> None:
    """Connected orgs (v3.1 enrol/unenrol pages): DATA-SCOPE OTHER needs the DATA-SCOPE-ORG it applies to."""
    header = call.facts.arg("data-scope-org-required", "header")
    org = call.facts.arg("data-scope-org-required", "org-header")
    scope = call.params.get(header)
    if scope in call.roles("DataScope", "needs-org") and not call.params.get(org):
        raise call.refuse("data-scope-org-required", f"{header} {scope} without {org}")


@request_rule("org-hierarchy")
def org_hierarchy(call: Call) -> None:
    """get-user-ranks-across-target-groups (51512 "The following orgs are not part of the hierarchy"):
    each org a request names, in the org header (the docs: "List of Organisation IDs") or in a body
    item's org field, is an org of the hierarchy (the mock's: the orgs the spec's examples name)."""
    header = call.facts.arg("org-hierarchy", "org-header")
    name = call.facts.arg("org-hierarchy", "org-field")
    named = [v.strip() for v in str(call.params.get(header) or "").split(",") if v.strip()]
    items = call.body if isinstance(call.body, list) else []
    named += [str(item[name]) for item in items if isinstance(item, dict) and item.get(name) is not None]
    known = {str(org) for org in call.store.orgs}
    outside = [org for org in named if org not in known]
    if outside:
        raise call.refuse("org-hierarchy", "not part of the hierarchy: " + ", ".join(outside))


def extended_field_metadata(call: Call, raw: JSONObject) -> None:
    """Create pages (extended fields, alternate currencies; errors.md 310094): such a target needs
    ``extendedFieldInfo``."""
    if not call.applies("extended-field-metadata"):
        return
    if (
        raw.get("targetType") in call.roles("TargetType", "needs-metadata")
        or raw.get("targetEntity") in call.roles("TargetEntity", "needs-metadata")
    ) and not raw.get("extendedFieldInfo"):
        raise call.refuse("extended-field-metadata")


def currency_identifier(call: Call, raw: JSONObject) -> None:
    """Alternate-currency create page (errors.md 310147 "Invalid or null Alternate Currency Identifier for
    target rule"): such a target's metadata names its currency (``x-rules`` names the field); null or
    blank is refused. Which identifiers exist the mock cannot know, so only the null half is judged."""
    if not call.applies("currency-identifier"):
        return
    info = raw.get("extendedFieldInfo")
    if raw.get("targetEntity") not in call.roles("TargetEntity", "needs-currency") or not isinstance(
        info, dict
    ):
        return
    value = info.get(call.facts.arg("currency-identifier", "field"))
    if value is None or not str(value).strip():
        raise call.refuse("currency-identifier")


def unified_expression(call: Call, target_ids: Iterable[int], combination: Any) -> str:
    """Unified target groups (create-target-groups "unified", update-unified-target): the rule expression
    joins the active targets' ids with ``&`` when every target must be met, ``|`` otherwise."""
    joiner = " & " if combination in call.roles("CombinationType", "all") else " | "
    return "(" + joiner.join(map(str, target_ids)) + ")"


def is_unified(call: Call, group: JSONObject, body: JSONObject) -> bool:
    """A unified group (create page "unified"): tracking type UNIFIED or a combination type given."""
    return group.get("trackingType") in call.roles("TrackingType", "unified") or "combinationType" in body


def editable_period_fields(call: Call, period: JSONObject) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """update-target-period ([R] in ops.md): a running period may only move its end date, an ended one
    nothing, one not started both dates; description, refCode and active change unless it ended.
    Returns (date fields, other fields) the request may change."""
    status = period.get("periodStatus")
    if status in call.roles("PeriodStatus", "ended"):
        return (), ()
    others = ("description", "refCode", "active")
    if status in call.roles("PeriodStatus", "running"):
        return ("endDate",), others
    return ("startDate", "endDate"), others


def milestone_status(call: Call, group: JSONObject) -> Any:
    """get-all-milestones ``status`` filter: inactive → stopped; a running period → live; every period
    ended → ended; otherwise upcoming (the MilestoneStatus roles)."""

    def first(role: str) -> Any:
        return call.roles("MilestoneStatus", role)[0]

    if not group.get("active", True):
        return first("stopped")
    statuses = {p.get("periodStatus") for p in group.get("periods", [])} | (
        {group["activePeriod"].get("periodStatus")} if group.get("activePeriod") else set()
    )
    if statuses & set(call.roles("PeriodStatus", "running")):
        return first("live")
    if statuses and statuses <= set(call.roles("PeriodStatus", "ended")):
        return first("ended")
    return first("upcoming")


def enrolment(call: Call, key: tuple[int, int], raw: JSONObject) -> None:
    """enrol-customer-to-a-milestone (errors.md 310119): a customer is enrolled once, unless the request
    resets the streak status."""
    if not call.applies("enrolment"):
        return
    if key in call.store.enrolments and not raw.get("resetStreakStatus"):
        raise call.refuse("enrolment")


def period_ref_code(call: Call, raw: JSONObject, ref_codes: set[Any]) -> None:
    """enrol-customer-to-a-milestone (errors.md 310019): ``periodName`` names a period by its refCode."""
    if not call.applies("period-ref-code"):
        return
    if raw.get("periodName") is not None and ref_codes and raw["periodName"] not in ref_codes:
        raise call.refuse("period-ref-code")


def group_period(call: Call, periods: list[JSONObject]) -> None:
    """un-enrol-users-into-a-milestonestreak (errors.md 310019 "Target period not found"): its body names
    no period (customerId only), so a customer leaves the periods of the target's group; a group without
    one has no period to find. Judged before the enrolment itself (the period is looked up first)."""
    if not call.applies("group-period"):
        return
    if not periods:
        raise call.refuse("group-period", "the target's group has no period")


def period_of_group(call: Call, group: JSONObject) -> None:
    """get-top-ranked-users (errors.md 310118 "Target Period not found for the target"): the period the
    query asks for (``x-rules`` names the parameter) is one of the group's periods."""
    if not call.applies("period-of-group"):
        return
    name = call.facts.arg("period-of-group", "param")
    if name in call.params and call.params[name] not in {p["id"] for p in call.store.periods_of(group["id"])}:
        raise call.refuse("period-of-group", f"{name} {call.params[name]} is no period of the group")


def leaderboard_evaluation(call: Call, group: JSONObject) -> None:
    """create-target-groups (errors.md 310132): a leaderboard only on a group evaluated in the windows the
    ``leaderboard`` role of TargetEvaluationType names (the docs: FIXED_CALENDAR_WINDOW only)."""
    if not call.applies("leaderboard-evaluation"):
        return
    evaluation = group.get("targetEvaluationType")
    if (
        group.get("leaderboardEnabled")
        and evaluation is not None
        and evaluation not in call.roles("TargetEvaluationType", "leaderboard")
    ):
        raise call.refuse("leaderboard-evaluation", f"a leaderboard on a {evaluation} group")


def unenrolment(call: Call, removed: Any) -> None:
    """un-enrol-users-into-a-milestonestreak (errors.md 310119): only an enrolled customer is unenrolled."""
    if not call.applies("unenrolment"):
        return
    if removed is None:
        raise call.refuse("unenrolment", "the customer is not enrolled")


def user_created_hidden(call: Call, group: JSONObject) -> None:
    """get-target-groups-id: a user-created group is answered only with includeUserCreatedTargetGroups."""
    if not call.applies("user-created-hidden"):
        return
    if group.get("userCreated") and not call.params.get("includeUserCreatedTargetGroups"):
        raise call.refuse("user-created-hidden")


def leaderboard_enabled(call: Call, group: JSONObject) -> None:
    """get-top-ranked-users (errors.md 310134): a leaderboard needs ``leaderboardEnabled`` on the group."""
    if not call.applies("leaderboard-enabled"):
        return
    if not group.get("leaderboardEnabled"):
        raise call.refuse("leaderboard-enabled")


def enrolled_user(call: Call, key: tuple[int, int]) -> None:
    """get-target-events (errors.md 310149): tracked events exist only for an enrolled user."""
    if not call.applies("enrolled-user"):
        return
    if key not in call.store.enrolments:
        raise call.refuse("enrolled-user")


def known(call: Call, rule: str, record: JSONObject | None, owner: JSONObject, link: str) -> JSONObject:
    """update-target-period / update-unified-target: every id in the body belongs to the path's group."""
    if record is None or record.get(link) != owner["id"]:
        raise call.refuse(rule)
    return record


def name_kinds(call: Call) -> dict[Any, list[Any]]:
    """check-validity-of-milestone-name: which names each NameType value checks (case-insensitive).
    A period is named by its refCode; a streak name is the name of a streak-tracking group."""
    store = call.store

    def role(name: str) -> Any:
        return call.roles("NameType", name)[0]

    streaks = call.roles("TrackingType", "streaks")
    return {
        role("group"): [g.get("name") for g in store.groups.values()],
        role("streak-group"): [
            g.get("name") for g in store.groups.values() if g.get("trackingType") in streaks
        ],
        role("streak"): [s.get("name") for s in store.streaks.values()],
        role("target"): [t.get("name") for t in store.targets.values()],
        role("period"): [p.get("refCode") for p in store.periods.values()],
    }


__all__ = ["REQUEST_RULES", "Reply"]
