"""set-enforcement-action builtin: which objects it edits, its results and its config errors."""

from __future__ import annotations

import pytest

from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, builtins_of, emit

IMAGE = "gcr.io/kpt-fn/set-enforcement-action:v0.1.0"

POLICIES = """\
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRestrictRoleBindings
metadata: # kpt-merge: /restrict
  name: restrict
spec:
  enforcementAction: deny # was deny
  parameters:
    restrictedRole:
      kind: "ClusterRole"
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sProhibitWildcard
metadata:
  name: wildcard
spec: {}
---
apiVersion: constraints.gatekeeper.sh/v1alpha1
kind: K8sOld
metadata:
  name: old
spec:
  enforcementAction: deny
"""


def config(**data: str) -> str:
    lines = "".join(f"  {key}: {value}\n" for key, value in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n{lines}"


BUILTINS = builtins_of("set-enforcement-action")
lookup = BUILTINS.lookup


def test_sets_the_action_on_v1beta1_constraints_only(make_rl: MakeRL) -> None:
    rl = make_rl(POLICIES, config(enforcementAction="dryrun"))
    builtin = lookup(IMAGE)
    assert builtin is not None
    builtin.run(rl)

    first, second, old = rl.items
    assert first.str_value("spec", "enforcementAction") == "dryrun"
    assert "enforcementAction: dryrun # was deny" in emit(first)  # edited in place, comment kept
    assert second.str_value("spec", "enforcementAction") == "dryrun"
    assert old.str_value("spec", "enforcementAction") == "deny"
    assert [(r.message, r.severity, r.file.path if r.file else "") for r in rl.results] == [
        ("Number of policies set to [dryrun]: 2", "info", ""),
        ("Policy name: [restrict]", "info", "resources.yaml"),
        ("Policy name: [wildcard]", "info", "resources.yaml"),
    ]


def test_no_policy_is_a_warning(make_rl: MakeRL) -> None:
    rl = make_rl("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", config(enforcementAction="warn"))
    builtin = lookup(IMAGE)
    assert builtin is not None
    builtin.run(rl)
    assert [(r.message, r.severity) for r in rl.results] == [("Found no policy to set to [warn]", "warning")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"enforcementAction": "block"},
                     "failed to process policies: expected values for enforcementAction are [deny] or [warn] or "
                     "[dryrun]", id="unknown-action"),
        pytest.param({"enforcementAction": "deny", "extra": "x"},
                     "failed to process policies: expecting exactly 1 enforcementAction as part of the ConfigMap",
                     id="two-entries"),
        pytest.param({"action": "deny"},
                     "failed to process policies: expected values for enforcementAction are [deny] or [warn] or "
                     "[dryrun]", id="wrong-key"),
    ],
)
def test_config_errors_fail_with_one_error_result(make_rl: MakeRL, data: dict[str, str], message: str) -> None:
    rl = make_rl(POLICIES, config(**data))
    builtin = lookup(IMAGE)
    assert builtin is not None
    with pytest.raises(FunctionError) as raised:
        builtin.run(rl)
    assert raised.value.exit_code == 1
    assert [(r.message, r.severity) for r in rl.results] == [(message, "error")]
    assert rl.items[0].str_value("spec", "enforcementAction") == "deny"


def test_tags_claimed() -> None:
    assert lookup("gcr.io/kpt-fn/set-enforcement-action:unstable") is not None
    assert lookup("ghcr.io/kptdev/krm-functions-catalog/set-enforcement-action:v0.1.0") is not None
    assert lookup("gcr.io/kpt-fn/set-enforcement-action:v0.2.0") is None


def test_a_second_run_changes_nothing(make_rl: MakeRL) -> None:
    from bot.render.resourcelist import ResourceList

    builtin = lookup(IMAGE)
    assert builtin is not None
    first = make_rl(POLICIES, config(enforcementAction="warn"))
    builtin.run(first)
    second = ResourceList(items=[item.copy() for item in first.items], function_config=first.function_config)
    builtin.run(second)
    assert [emit(i) for i in second.items] == [emit(i) for i in first.items]
