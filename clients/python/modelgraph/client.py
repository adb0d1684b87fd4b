"""A small client of the modelgraph registry for training code: the standard library only.

    from modelgraph import Client
    mg = Client()  # MODELGRAPH_URL (default http://localhost:4000) and MODELGRAPH_TOKEN
    version = mg.register_version("churn", code={...}, dataset_versions=[...], environment={...},
                                  artifact_path="model/", artifact_format="PICKLE")
    mg.upload(version["id"], "model/")
"""

import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from .errors import ModelgraphError, NotFound, TimedOut, error_from

CHUNK = 1024 * 1024
STAGES = ("DEVELOPMENT", "STAGING", "PRODUCTION", "ARCHIVED", "RETIRED", "REJECTED")
RETRY_STATUSES = (502, 503, 504)
RETRIES = 3

VERSION_FIELDS = "id version stage model { name } artifact { layout status sha256 sizeBytes failureReason }"


def sha256_of(path):
    """The sha256 (hex) and size of a file, read in 1 MiB chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# Never part of a model folder: version control (OpenSSF Model Signing ignores it by default) and model.sig, the
# signature the registry keeps beside the files. The TypeScript client leaves out the same.
IGNORED = {".git", ".gitignore", ".gitattributes", ".github", "model.sig"}


def files_of(folder):
    """A folder's files: (relative `/`-separated path, absolute path), sorted by path (their UTF-8 bytes' order)."""
    found = []
    for root, dirs, names in os.walk(folder):
        if os.path.samefile(root, folder):
            dirs[:] = [d for d in dirs if d not in IGNORED]
            names = [n for n in names if n not in IGNORED]
        dirs.sort()
        for name in names:
            full = os.path.join(root, name)
            found.append((os.path.relpath(full, folder).replace(os.sep, "/"), full))
    return sorted(found, key=lambda f: f[0].encode("utf-8"))


def manifest(path):
    """The artifact input of a file (its sha256 and size) or of a folder (each file's path, size and sha256)."""
    if os.path.isdir(path):
        files = []
        for rel, full in files_of(path):
            sha, size = sha256_of(full)
            files.append({"path": rel, "sizeBytes": size, "sha256": sha})
        return {"files": files}
    sha, size = sha256_of(path)
    return {"sha256": sha, "sizeBytes": size}


class _Progress:
    """A file object for urllib that reports each block read (the bytes sent so far) to a callback."""

    def __init__(self, f, name, total, progress):
        self.f, self.name, self.total, self.progress, self.sent = f, name, total, progress, 0

    def read(self, n=-1):
        block = self.f.read(n)
        self.sent += len(block)
        if block and self.progress:
            self.progress(self.name, self.sent, self.total)
        return block


class Client:
    """The registry at ``url`` (MODELGRAPH_URL) with ``token`` (MODELGRAPH_TOKEN). Every method answers dicts."""

    def __init__(self, url=None, token=None, timeout=300):
        self.url = (url or os.environ.get("MODELGRAPH_URL") or "http://localhost:4000").rstrip("/")
        self.token = token if token is not None else os.environ.get("MODELGRAPH_TOKEN")
        self.timeout = timeout

    # --- transport ---------------------------------------------------------------------------------------------

    def _send(self, method, path, data=None, headers=None):
        """One request; the JSON answer, or the typed error its ``errors`` (or its status) stands for."""
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            error = error_from(body, "HTTP_%d" % e.code, "%s %s answered %d %s" % (method, path, e.code, e.reason))
            error.status = e.code
            raise error from None
        except OSError as e:  # refused, reset, timed out (urllib's URLError is one)
            raise ModelgraphError("UNAVAILABLE", "%s %s: %s unreachable: %s" % (method, path, self.url, e)) from e

    def _retrying(self, send):
        """``send()`` again after a connection error or a 502/503/504, up to 3 times, waiting 0.5, 1, 2 s."""
        for attempt in range(RETRIES + 1):
            try:
                return send()
            except ModelgraphError as e:
                retryable = e.code == "UNAVAILABLE" or getattr(e, "status", None) in RETRY_STATUSES
                if not retryable or attempt == RETRIES:
                    raise
            time.sleep(0.5 * 2**attempt)

    def graphql(self, query, variables=None, retry=None):
        """Runs a query or mutation and answers its ``data``; an answer with ``errors`` raises the typed error.

        ``retry``: send it again after a connection error or a 502/503/504; by default a query is, a mutation is
        not (unless it is safe to repeat: one with an idempotency key).
        """
        if retry is None:
            retry = not query.lstrip().startswith("mutation")
        body = json.dumps({"query": query, "variables": variables or {}}).encode()

        def send():
            answer = self._send("POST", "/graphql", body, {"Content-Type": "application/json"})
            if answer.get("errors"):
                raise error_from(answer)
            return answer.get("data")

        return self._retrying(send) if retry else send()

    # --- models and versions -----------------------------------------------------------------------------------

    def create_model(self, name, owner, risk_tier="LOW", description=None, tags=None):
        data = self.graphql(
            "mutation($input: CreateModelInput!) { createModel(input: $input) { model { id name owner riskTier } } }",
            {"input": _drop_none({"name": name, "owner": owner, "riskTier": risk_tier, "description": description, "tags": tags})},
        )
        return data["createModel"]["model"]

    def model(self, name):
        """The model with this name, with its latest versions; None when there is none (or you may not see it)."""
        data = self.graphql(
            "query($name: String!) { model(name: $name) { id name owner riskTier status"
            " versions(first: 20) { edges { node { %s } } } } }" % VERSION_FIELDS,
            {"name": name},
        )
        return data["model"]

    def version(self, version_id):
        """A version: its number, stage and artifact; None when there is none."""
        data = self.graphql("query($id: UUID!) { modelVersion(id: $id) { %s } }" % VERSION_FIELDS, {"id": version_id})
        return data["modelVersion"]

    def register_version(
        self,
        model_name,
        code,
        dataset_versions,
        environment,
        hyperparameters=None,
        artifact_path=None,
        artifact_format="OTHER",
        artifact=None,
        idempotency_key=None,
        **extra,
    ):
        """Registers a version with its reproducibility tuple and answers it (``replayed`` added).

        ``artifact_path``, a file or a folder, is hashed (a folder file by file) into the manifest the registry
        checks the upload against; or ``artifact`` is an ArtifactInput of your own (a reference: uri, sha256,
        sizeBytes). ``extra``: label, description, randomSeed, trainingRunId. An idempotency key is made when
        none is given, so a retry after a lost answer registers one version.
        """
        if artifact is None:
            if artifact_path is None:
                raise ValueError("give artifact_path (a file or a folder to upload) or artifact (a reference)")
            artifact = manifest(artifact_path)
        artifact = dict(artifact, format=artifact.get("format", artifact_format))
        variables = {
            "input": _drop_none(
                dict(
                    extra,
                    modelName=model_name,
                    code=code,
                    datasetVersions=list(dataset_versions),
                    environment=environment,
                    hyperparameters=hyperparameters,
                    artifact=artifact,
                    idempotencyKey=idempotency_key or str(uuid.uuid4()),
                )
            )
        }
        data = self.graphql(
            "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { version { %s } replayed } }"
            % VERSION_FIELDS,
            variables,
            retry=True,
        )
        payload = data["registerModelVersion"]
        return dict(payload["version"], replayed=payload["replayed"])

    # --- artifacts ---------------------------------------------------------------------------------------------

    def upload(self, version_id, path, progress=None):
        """Uploads a file (``PUT /artifacts/<id>``) or a folder, file by file (``PUT /artifacts/<id>/<path>``).

        Each file is hashed first, then streamed from disk with its Content-Length and X-Artifact-Sha256; the
        sha256 the registry answers must be the one computed. ``progress(path, bytes_sent, bytes_total)`` is
        called as the bytes go. Answers the registry's JSON (a folder: ``files``, each file's, and ``artifact``).
        """
        base = "/artifacts/" + urllib.parse.quote(version_id, safe="")
        if not os.path.isdir(path):
            return self._put(base, path, os.path.basename(path), progress)
        answers = []
        for rel, full in files_of(path):
            route = base + "/" + "/".join(urllib.parse.quote(segment, safe="") for segment in rel.split("/"))
            answers.append(self._put(route, full, rel, progress))
        return {"files": answers, "artifact": answers[-1].get("artifact") if answers else None}

    def _put(self, route, full, name, progress):
        sha, size = sha256_of(full)
        with open(full, "rb") as f:
            body = _Progress(f, name, size, progress)
            headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream", "X-Artifact-Sha256": sha}
            answer = self._send("PUT", route, body, headers)
        if answer.get("sha256") != sha:
            raise ModelgraphError("DIGEST_MISMATCH", "%s: sent sha256 %s, the registry answered %s" % (name, sha, answer.get("sha256")))
        return answer

    # --- metrics, validation, promotion ------------------------------------------------------------------------

    def log_metrics(self, version_id, metrics, batch_size=10000, source="TRAINING"):
        """Logs ``[{name, value, step?, source?}]`` in batches of at most 10,000 (a point's source defaults to
        ``source``). Not retried: a batch has no idempotency key. Answers ``{"count", "batches"}``."""
        points = [dict(m, source=m.get("source") or source) for m in metrics]
        batch_size = max(1, min(batch_size, 10000))
        count = batches = 0
        for start in range(0, len(points), batch_size):
            data = self.graphql(
                "mutation($input: LogMetricsInput!) { logMetrics(input: $input) { count } }",
                {"input": {"versionId": version_id, "metrics": points[start : start + batch_size]}},
            )
            count += data["logMetrics"]["count"]
            batches += 1
        return {"count": count, "batches": batches}

    def set_baseline(self, model_id, metric, threshold=None, comparator="GTE", reference="FIXED", tolerance=None):
        data = self.graphql(
            "mutation($input: SetBaselineInput!) { setBaseline(input: $input) { baseline { metric comparator threshold } } }",
            {
                "input": _drop_none(
                    {"modelId": model_id, "metric": metric, "comparator": comparator, "reference": reference, "threshold": threshold, "tolerance": tolerance}
                )
            },
            retry=True,  # setting the same baseline twice is setting it once
        )
        return data["setBaseline"]["baseline"]

    def validate(self, version_id):
        """Compares the version's VALIDATION metrics with the baselines and the policy: the report."""
        data = self.graphql(
            "mutation($input: ValidateModelVersionInput!) { validateModelVersion(input: $input) {"
            " report { id passed summary checks { metric comparator candidateValue baselineValue passed detail } } } }",
            {"input": {"versionId": version_id}},
            retry=True,  # a second report of the same metrics says the same
        )
        return data["validateModelVersion"]["report"]

    def promote(self, version_id, to_stage, expected_stage=None, reason=None, idempotency_key=None):
        """transitionModelVersion: answers ``{version, archivedVersion, replayed}``.

        ``expected_stage`` defaults to the version's stage now. The idempotency key (a new uuid4 when none is
        given) is sent again on each retry, so a promotion whose answer was lost happens once.
        """
        if expected_stage is None:
            current = self.version(version_id)
            if current is None:
                raise NotFound("NOT_FOUND", "model version %s not found" % version_id)
            expected_stage = current["stage"]
        data = self.graphql(
            "mutation($input: TransitionModelVersionInput!) { transitionModelVersion(input: $input) {"
            " version { %s } archivedVersion { id version stage } replayed } }" % VERSION_FIELDS,
            {
                "input": _drop_none(
                    {
                        "versionId": version_id,
                        "toStage": to_stage,
                        "expectedStage": expected_stage,
                        "reason": reason,
                        "idempotencyKey": idempotency_key or str(uuid.uuid4()),
                    }
                )
            },
            retry=True,
        )
        return data["transitionModelVersion"]

    def promotion_readiness(self, version_id, target_stage):
        """Every gate of a move, without making it: ``{ready, moveAllowed, permitted, permission, gates}``."""
        data = self.graphql(
            "query($id: UUID!, $stage: Stage!) { promotionReadiness(versionId: $id, targetStage: $stage) {"
            " currentStage targetStage moveAllowed permitted permission ready gates { gate passed detail } } }",
            {"id": version_id, "stage": target_stage},
        )
        return data["promotionReadiness"]

    def wait(self, version_id, until, timeout=1800, interval=2):
        """Polls until the version is in stage ``until``, or ``"ready"`` (its artifact READY), or ``"approved"``
        (its APPROVALS gate to PRODUCTION passed, or none asked for). Answers the version (or, for "approved", the readiness);
        raises TimedOut after ``timeout`` seconds, and ModelgraphError ARTIFACT_FAILED when waiting for "ready"
        on an artifact that failed."""
        if until not in STAGES and until not in ("ready", "approved"):
            raise ValueError("until: a stage (%s), 'ready' or 'approved', not %r" % (", ".join(STAGES), until))
        deadline = time.monotonic() + timeout
        while True:
            if until == "approved":
                readiness = self.promotion_readiness(version_id, "PRODUCTION")
                # No APPROVALS gate: the model's policy asks for no approval to PRODUCTION.
                if all(g["passed"] for g in readiness["gates"] if g["gate"] == "APPROVALS"):
                    return readiness
                seen = "APPROVALS not passed"
            else:
                current = self.version(version_id)
                if current is None:
                    raise NotFound("NOT_FOUND", "model version %s not found" % version_id)
                status = current["artifact"]["status"]
                if (until == "ready" and status == "READY") or current["stage"] == until:
                    return current
                if until == "ready" and status == "FAILED":
                    raise ModelgraphError("ARTIFACT_FAILED", "the artifact FAILED: %s" % current["artifact"]["failureReason"])
                seen = "stage %s, artifact %s" % (current["stage"], status)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut("TIMED_OUT", "version %s not %s after %ss (%s)" % (version_id, until, timeout, seen))
            time.sleep(min(interval, left))


def _drop_none(d):
    return {k: v for k, v in d.items() if v is not None}
