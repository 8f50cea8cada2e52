"""The published Rocket.Chat client (PyPI `rocketchat_API`), unmodified,
against a real Roster server: log in, create a group, invite, add an owner,
leave, and check what the server then reports; then the rest of the
membership surface the client has methods for (group settings and
reads, channels, admin user management).

The test starts Roster itself: the binary from $ROSTER_BIN (default
target/debug/roster under the repository root), a fresh SQLite database in
a temporary directory, users created with `roster user create`, and
`roster serve` on a free port, stopped at the end.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from rocketchat_API.APIExceptions.RocketExceptions import (
    RocketApiException,
    RocketAuthenticationException,
)
from rocketchat_API.rocketchat import RocketChat

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def roster_bin() -> str:
    path = Path(os.environ.get("ROSTER_BIN", ROOT / "target" / "debug" / "roster"))
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        pytest.fail(f"no Roster binary at {path}: run `cargo build -p roster` first")
    return str(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    """A running Roster with users ann, bob and cat and the admin root;
    yields (url, user ids)."""
    binary = roster_bin()
    tmp = tmp_path_factory.mktemp("roster")
    database = f"sqlite://{tmp / 'r.db'}"
    ids = {}
    for name in ("ann", "bob", "cat", "root"):
        admin = ["--admin"] if name == "root" else []
        created = subprocess.run(
            [binary, "--database", database, "user", "create",
             "--username", name, "--password", PASSWORD, *admin],
            check=True, capture_output=True, text=True, timeout=60,
        )
        ids[name] = created.stdout.strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp / "serve.log", "wb")
    server = subprocess.Popen(
        [binary, "--database", database, "serve", "--listen", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"roster serve exited: {(tmp / 'serve.log').read_text()}")
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("roster serve did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield url, ids
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def member_names(client, room_id):
    return sorted(m["username"] for m in client.groups_members(room_id=room_id))


def test_login_create_invite_add_owner_and_leave(roster):
    url, ids = roster
    ann = RocketChat("ann", PASSWORD, server_url=url)
    assert ann.me()["_id"] == ids["ann"]
    bob_id = ann.users_info(username="bob")["user"]["_id"]
    assert bob_id == ids["bob"]

    created = ann.groups_create("py-club")
    assert created["success"] is True
    group = created["group"]
    room_id = group["_id"]
    assert (group["name"], group["t"], group["usersCount"]) == ("py-club", "p", 1)
    assert group["u"] == {"_id": ids["ann"], "username": "ann"}

    invited = ann.groups_invite(room_id, bob_id)
    assert invited["success"] is True
    assert invited["group"]["usersCount"] == 2
    assert member_names(ann, room_id) == ["ann", "bob"]

    # The only owner may not leave: the server refuses with success false.
    with pytest.raises(RocketApiException) as refused:
        ann.groups_leave(room_id)
    assert refused.value.status_code == 400
    assert refused.value.response_json["success"] is False
    assert refused.value.error_type == "error-you-are-last-owner"
    assert member_names(ann, room_id) == ["ann", "bob"]

    assert ann.groups_add_owner(room_id, bob_id) == {"success": True}
    left = ann.groups_leave(room_id)
    assert left["success"] is True
    assert left["group"]["_id"] == room_id
    assert left["group"]["usernames"] == ["bob"]
    assert left["group"]["usersCount"] == 1

    bob = RocketChat("bob", PASSWORD, server_url=url)
    assert member_names(bob, room_id) == ["bob"]
    assert [g["_id"] for g in bob.groups_list()] == [room_id]
    assert list(ann.groups_list()) == []

    # Once out, the group no longer exists for ann.
    with pytest.raises(RocketApiException) as gone:
        ann.groups_leave(room_id)
    assert gone.value.error_type == "error-room-not-found"

    ann.logout()
    with pytest.raises(RocketApiException) as logged_out:
        ann.me()
    assert logged_out.value.status_code == 401


def test_owner_and_moderator_changes_and_kick(roster):
    url, ids = roster
    ann = RocketChat("ann", PASSWORD, server_url=url)
    room_id = ann.groups_create("py-roles", members=["cat"])["group"]["_id"]
    assert member_names(ann, room_id) == ["ann", "cat"]

    with pytest.raises(RocketApiException) as not_owner:
        ann.groups_remove_owner(room_id, ids["cat"])
    assert not_owner.value.error_type == "error-user-not-owner"

    assert ann.groups_add_moderator(room_id, ids["cat"])["success"] is True
    assert ann.groups_remove_moderator(room_id, ids["cat"])["success"] is True
    assert ann.groups_kick(room_id, ids["cat"])["success"] is True
    assert member_names(ann, room_id) == ["ann"]

    with pytest.raises(RocketApiException) as not_in_room:
        ann.groups_kick(room_id, ids["cat"])
    assert not_in_room.value.error_type == "error-user-not-in-room"


def test_wrong_password_is_an_authentication_error(roster):
    url, _ = roster
    with pytest.raises(RocketAuthenticationException):
        RocketChat("ann", "not the password", server_url=url)


def test_permissions_list_all_and_update_change_who_may_kick(roster):
    """Issue 14: Roster's policy through the client's permissions_* methods."""
    url, ids = roster
    ann = RocketChat("ann", PASSWORD, server_url=url)
    listed = {p["_id"]: p["roles"] for p in ann.permissions_list_all()["update"]}
    assert listed["remove-user"] == ["admin", "owner", "moderator"]
    assert listed["kick-user-from-any-p-room"] == ["admin"]

    with pytest.raises(RocketApiException) as refused:
        ann.permissions_update([{"_id": "remove-user", "roles": ["admin"]}])
    assert refused.value.status_code == 403

    room_id = ann.groups_create("py-perms", members=["bob", "cat"])["group"]["_id"]
    assert ann.groups_add_moderator(room_id, ids["bob"])["success"] is True
    bob = RocketChat("bob", PASSWORD, server_url=url)
    root = RocketChat("root", PASSWORD, server_url=url)
    owners_only = [{"_id": "remove-user", "roles": ["admin", "owner"]}]
    updated = root.permissions_update(owners_only)
    roles = {p["_id"]: p["roles"] for p in updated["permissions"]}
    assert roles["remove-user"] == ["admin", "owner"]
    with pytest.raises(RocketApiException) as not_allowed:
        bob.groups_kick(room_id, ids["cat"])
    assert not_allowed.value.error_type == "error-not-allowed"

    with pytest.raises(RocketApiException) as bad_role:
        root.permissions_update([{"_id": "remove-user", "roles": ["wizard"]}])
    assert bad_role.value.error_type == "error-invalid-role"

    # Back to the default: the moderator may kick again.
    root.permissions_update([{"_id": "remove-user", "roles": ["admin", "owner", "moderator"]}])
    assert bob.groups_kick(room_id, ids["cat"])["success"] is True


# --- feature `rooms`: the rest of groups.*, channels.*, users.* -------------


def test_group_settings_and_reads(roster):
    url, ids = roster
    ann = RocketChat("ann", PASSWORD, server_url=url)
    room_id = ann.groups_create("py-settings", members=["bob"])["group"]["_id"]
    assert ann.groups_rename(room_id, "py-renamed")["group"]["name"] == "py-renamed"
    described = ann.groups_set_description(room_id, "Friday nights")
    assert described == {"description": "Friday nights", "success": True}
    assert ann.groups_set_read_only(room_id, True)["group"]["ro"] is True
    assert ann.groups_add_moderator(room_id, ids["bob"])["success"] is True
    moderators = ann.groups_moderators(room_id=room_id)["moderators"]
    assert [m["username"] for m in moderators] == ["bob"]
    roles = ann.groups_roles(room_id=room_id)["roles"]
    assert [(r["u"]["username"], r["roles"]) for r in roles] == [
        ("ann", ["owner"]),
        ("bob", ["moderator"]),
    ]
    assert ann.groups_close(room_id)["success"] is True
    assert ann.groups_open(room_id)["success"] is True

    # A group made public is a channel: the group routes no longer find it.
    assert ann.groups_set_type(room_id, "c")["group"]["t"] == "c"
    with pytest.raises(RocketApiException) as moved:
        ann.groups_info(room_id=room_id)
    assert moved.value.error_type == "error-room-not-found"
    assert ann.channels_info(room_id=room_id)["channel"]["t"] == "c"
    assert ann.channels_set_type(room_id, "p")["channel"]["t"] == "p"

    bob = RocketChat("bob", PASSWORD, server_url=url)
    with pytest.raises(RocketApiException) as refused:
        bob.groups_delete(room_id=room_id)
    assert refused.value.error_type == "error-not-allowed"
    assert ann.groups_delete(room_id=room_id) == {"success": True}
    with pytest.raises(RocketApiException) as gone:
        ann.groups_info(room_id=room_id)
    assert gone.value.error_type == "error-room-not-found"


def test_channels(roster):
    url, ids = roster
    ann = RocketChat("ann", PASSWORD, server_url=url)
    bob = RocketChat("bob", PASSWORD, server_url=url)
    channel = ann.channels_create("py-lobby")["channel"]
    room_id = channel["_id"]
    assert (channel["t"], channel["usersCount"]) == ("c", 1)
    assert room_id in [c["_id"] for c in bob.channels_list()]
    assert room_id not in [c["_id"] for c in bob.channels_list_joined()]
    assert bob.channels_join(room_id, None)["channel"]["usersCount"] == 2
    assert room_id in [c["_id"] for c in bob.channels_list_joined()]
    members = sorted(m["username"] for m in ann.channels_members(room_id=room_id))
    assert members == ["ann", "bob"]
    assert bob.channels_leave(room_id)["channel"]["usernames"] == ["ann"]
    assert ann.channels_invite(room_id, ids["cat"])["channel"]["usersCount"] == 2
    assert ann.channels_add_owner(room_id, user_id=ids["cat"])["success"] is True
    assert ann.channels_remove_owner(room_id, ids["cat"])["success"] is True
    assert ann.channels_kick(room_id, ids["cat"])["success"] is True
    assert ann.channels_archive(room_id)["success"] is True
    with pytest.raises(RocketApiException) as archived:
        bob.channels_join(room_id, None)
    assert archived.value.error_type == "error-room-archived"
    assert ann.channels_unarchive(room_id)["success"] is True
    assert ann.channels_delete(room_id=room_id)["success"] is True


def test_admin_user_management(roster):
    url, ids = roster
    root = RocketChat("root", PASSWORD, server_url=url)
    created = root.users_create("dora@example.com", "Dora", PASSWORD, "dora")
    assert created["success"] is True
    dora_id = created["user"]["_id"]
    assert created["user"]["name"] == "Dora"
    # Paged through by the client: two at a time, every account once.
    listed = [u["username"] for u in root.users_list(count=2)]
    assert sorted(listed) == ["ann", "bob", "cat", "dora", "root"]
    updated = root.users_update(dora_id, name="Dora M.")
    assert updated["user"]["name"] == "Dora M."

    dora = RocketChat("dora", PASSWORD, server_url=url)
    dora.groups_create("py-doras", members=["bob"])
    with pytest.raises(RocketApiException) as last_owner:
        root.users_delete(dora_id)
    assert last_owner.value.error_type == "error-user-last-owner"
    assert root.users_delete(dora_id, confirmRelinquish=True) == {"success": True}
    bob = RocketChat("bob", PASSWORD, server_url=url)
    group = bob.groups_info(room_name="py-doras")["group"]
    assert group["usersCount"] == 1
    assert bob.groups_roles(room_name="py-doras")["roles"][0]["roles"] == ["owner"]

    # A plain user may not create accounts.
    ann = RocketChat("ann", PASSWORD, server_url=url)
    with pytest.raises(RocketApiException) as forbidden:
        ann.users_create("eve@example.com", "Eve", PASSWORD, "eve")
    assert forbidden.value.status_code == 403


def test_an_unserved_route_answers_the_envelope(roster):
    url, _ = roster
    ann = RocketChat("ann", PASSWORD, server_url=url)
    with pytest.raises(RocketApiException) as unserved:
        ann.call_api_get("no.such.route")
    assert unserved.value.status_code == 404
    assert unserved.value.response_json == {"success": False, "error": "Resource not found"}
