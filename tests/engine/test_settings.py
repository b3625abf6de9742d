"""Engine settings: frozen values with the documented defaults, per-app defaults that belong to no other
app, and a lease owner that is new for every settings object (a restarted process is a new owner)."""

from __future__ import annotations

import dataclasses
import os
import re
import socket

import pytest

from bot.engine.settings import AppDefaults, EngineSettings, replica_id


def test_replica_id_names_the_host_the_process_and_a_random_part() -> None:
    host, pid, random = replica_id().rsplit(":", 2)
    assert host == socket.gethostname() and pid == str(os.getpid())
    assert re.fullmatch(r"[0-9a-f]{8}", random)


def test_every_replica_id_is_new_so_a_restarted_process_never_owns_its_predecessors_leases() -> None:
    assert len({replica_id() for _ in range(50)}) == 50


def test_each_settings_object_gets_its_own_lease_owner_unless_one_is_given() -> None:
    one, two = EngineSettings(), EngineSettings()
    assert one.replica != two.replica
    assert one.replica.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert EngineSettings(replica="replica-a").replica == "replica-a"


def test_settings_cannot_change_once_made() -> None:
    settings = EngineSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.poll_interval = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        AppDefaults().channel = "C1"  # type: ignore[misc]


def test_defaults_poll_every_thirty_seconds_and_keep_the_optional_features_off() -> None:
    s = EngineSettings()
    assert (s.poll_interval, s.poll_profile, s.first_find) == (30.0, (), 0.0)
    assert (s.find_timeout, s.processing_timeout) == (900.0, 7200.0)
    assert s.apple_webhooks is False  # only once the bot can check App Store Connect's signatures
    assert (s.action_lease, s.sweep_lease) == (600.0, 60.0)
    assert s.max_parallel_actions == 8


def test_without_configured_apps_every_app_gets_empty_defaults() -> None:
    defaults = EngineSettings().defaults_for("com.example.app")
    assert defaults == AppDefaults()
    assert (defaults.channel, defaults.api_key, defaults.bundle_id, dict(defaults.publishing)) == (
        None,
        None,
        None,
        {},
    )


def test_one_apps_publishing_defaults_are_not_anothers() -> None:
    one, two = AppDefaults(), AppDefaults()
    assert one.publishing is not two.publishing
    configured = AppDefaults(channel="C1", publishing={"submit_to_testflight": True})
    settings = EngineSettings(
        defaults_for=lambda bundle_id: configured if bundle_id == "com.a" else AppDefaults()
    )
    assert settings.defaults_for("com.a").publishing == {"submit_to_testflight": True}
    assert settings.defaults_for("com.b").publishing == {}
