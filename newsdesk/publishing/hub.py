"""Push a published version to the Hugging Face Hub as one commit tagged with its version.

Everything that talks to the Hub goes through the four `huggingface_hub.HfApi` calls used
here (create_repo, list_repo_refs, upload_folder, create_tag), so tests can stand in a fake
for exactly that boundary. A tag is never moved: a version already tagged on the Hub is
refused before anything is uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from newsdesk.foundations.errors import UserError
from newsdesk.publishing.versions import read_manifest, verify_version


class HubRefused(UserError):
    """The push was refused before or while uploading; the message says why and what to do."""


class HubApi(Protocol):
    def create_repo(self, repo_id: str, **kwargs: Any) -> Any: ...
    def list_repo_refs(self, repo_id: str, **kwargs: Any) -> Any: ...
    def upload_folder(self, **kwargs: Any) -> Any: ...
    def create_tag(self, repo_id: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Pushed:
    repo_id: str
    version: str
    commit: str

    def summary(self) -> str:
        commit = self.commit[:12]
        return f"pushed {self.version} to {self.repo_id} (commit {commit}, tag {self.version})"


def default_api() -> HubApi:
    from huggingface_hub import HfApi

    return HfApi()  # the token comes from HF_TOKEN or `hf auth login`, never from newsdesk


def push_version(
    folder: Path, repo_id: str, *, api: HubApi | None = None, private: bool = False
) -> Pushed:
    """Upload one version folder to a dataset repo and tag the commit with the version."""
    problems = verify_version(folder)
    if problems:
        raise HubRefused(f"{folder.name} does not match its manifest: {problems[0]}")
    version = read_manifest(folder)["version"]
    api = api or default_api()
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, private=private)
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        tags = {tag.name: tag.target_commit for tag in refs.tags}
        if version in tags:
            raise HubRefused(
                f"{repo_id} already has tag {version} (commit {tags[version][:12]}); a published "
                "version is never moved: publish a new version and push that"
            )
        commit = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            repo_type="dataset",
            commit_message=f"newsdesk {version}",
            # files of the previous version that this one does not have (fewer shards, no
            # changes.parquet) must not linger and be read as part of this version
            delete_patterns=["data/**", "changes.parquet", "CHANGELOG.md"],
        )
        api.create_tag(
            repo_id,
            tag=version,
            revision=commit.oid,
            repo_type="dataset",
            tag_message=f"newsdesk {version}",
        )
    except HubRefused:
        raise
    except Exception as error:  # network, auth or a tag created meanwhile: one clear line
        raise HubRefused(
            f"pushing {version} to {repo_id} failed: {error.__class__.__name__}: "
            f"{str(error).splitlines()[0] if str(error) else 'no detail'} "
            "(check HF_TOKEN and that the Hub is reachable)"
        ) from None
    return Pushed(repo_id, version, commit.oid)
