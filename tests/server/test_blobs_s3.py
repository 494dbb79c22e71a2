"""The S3 blob store against a local S3 server (moto's ThreadedMotoServer on 127.0.0.1), alone and behind the
real server process."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from server.blobs import FolderBlobs, open_blob_store
from tests.server.conftest import ServerProcess, enrol, free_port, server_env

BUCKET = "arobase-pieces"


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "essai",
        "AWS_SECRET_ACCESS_KEY": "essai",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="eu-west-3", aws_access_key_id="essai",
                 aws_secret_access_key="essai").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )  # fmt: skip
    yield env
    moto.stop()


def _objects(env: dict[str, str]) -> dict[str, bytes]:
    client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="eu-west-3",
                          aws_access_key_id="essai", aws_secret_access_key="essai")  # fmt: skip
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def test_s3_store_puts_gets_and_tells_presence(s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    store = open_blob_store(f"s3://{BUCKET}/essai-unitaire")
    data = os.urandom(1000)
    sha = hashlib.sha256(data).hexdigest()
    assert not store.exists(sha)
    store.put(sha, data)
    assert store.exists(sha)
    assert store.get(sha) == data
    assert _objects(s3_env)[f"essai-unitaire/{sha}"] == data


def test_folder_store_never_leaves_half_a_file(tmp_path: Path) -> None:
    store = FolderBlobs(tmp_path)
    data = b"contenu"
    sha = hashlib.sha256(data).hexdigest()
    store.put(sha, data)
    store.put(sha, data)  # again: a no-op
    assert store.get(sha) == data
    assert [p.name for p in (tmp_path / sha[:2]).iterdir()] == [sha]


def test_folder_store_syncs_the_folder_after_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rename is durable only once its folder is synced: tus acknowledges a file after put() returns, so the
    file's folder is synced after the file has its name, and the root too when the ab/ folder is new. (No real
    power cut here: os.fsync is watched, and still called.)"""
    synced: list[tuple[Path, bool]] = []
    real_fsync = os.fsync

    def watched(fd: int) -> None:
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        synced.append((path, path.is_dir()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", watched)
    store = FolderBlobs(tmp_path)
    data = b"photo de la mediatheque"
    sha = hashlib.sha256(data).hexdigest()
    store.put(sha, data)
    folder = tmp_path / sha[:2]
    assert synced[0] == (tmp_path, True)  # the new ab/ folder's entry in the root
    assert synced[1][0].parent == folder and not synced[1][1]  # the file's bytes, under its temporary name
    assert synced[2:] == [(folder, True)]  # then the folder, after the rename
    synced.clear()
    other = b"une autre photo, meme dossier ab/ ?"
    while hashlib.sha256(other).hexdigest()[:2] != sha[:2]:
        other += b"."
    store.put(hashlib.sha256(other).hexdigest(), other)
    assert [is_dir for _, is_dir in synced] == [False, True]  # the folder existed: the file, then its folder


def test_the_server_keeps_uploads_in_s3(s3_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("serveur-s3")
    env = server_env(data_dir, "sqlite", AROBASE_SERVER_BLOBS=f"s3://{BUCKET}/pieces", **s3_env)
    server = ServerProcess(data_dir, env).start(workers=1)
    try:
        device = enrol(server)
        photo = os.urandom(300_000)
        device.upload(photo, chunk=100_000)
        sha = hashlib.sha256(photo).hexdigest()
        assert _objects(s3_env)[f"pieces/{sha}"] == photo
        assert not (data_dir / "fichiers").exists()
        device.http.close()
    finally:
        server.stop()
