"""The client against a real running registry: MODELGRAPH_URL and an ADMIN token in MODELGRAPH_TOKEN.

    MODELGRAPH_URL=http://localhost:4000 MODELGRAPH_TOKEN=mg_… python3 -m unittest discover -s clients/python/tests -v

Without them the whole module is skipped, saying why. test/e2e/python-client.e2e.test.ts runs it in the suite.
"""

import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from modelgraph import BadInput, Client, Conflict, GateFailed, ModelgraphError, NotFound, TimedOut, Unauthorized  # noqa: E402
from modelgraph.client import manifest, sha256_of  # noqa: E402

if not os.environ.get("MODELGRAPH_URL") or not os.environ.get("MODELGRAPH_TOKEN"):
    raise unittest.SkipTest("MODELGRAPH_URL and MODELGRAPH_TOKEN (an ADMIN token) are not set: no registry to test against")

TUPLE = {
    "code": {"repo": "https://github.com/acme/churn", "commit": "5f2c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e"},
    "dataset_versions": ["s3://datasets/users@v7"],
    "environment": {"imageDigest": "ghcr.io/acme/train@sha256:" + "9b2f6c1d" * 8},
    "hyperparameters": {"learning_rate": 0.05, "max_depth": 6},
}


class ClientTest(unittest.TestCase):
    """One model per run (a unique name), a folder version taken from registration to STAGING, then the errors."""

    @classmethod
    def setUpClass(cls):
        cls.mg = Client()
        cls.name = "py-client-%s" % uuid.uuid4().hex[:12]
        cls.model = cls.mg.create_model(cls.name, "ml-platform", risk_tier="LOW")
        cls.folder = tempfile.mkdtemp(prefix="mg-py-")
        with open(os.path.join(cls.folder, "MLmodel"), "w") as f:
            f.write("artifact_path: model\nflavors:\n  python_function:\n    model_path: model.pkl\n")
        os.mkdir(os.path.join(cls.folder, "weights"))
        with open(os.path.join(cls.folder, "weights", "model one.bin"), "wb") as f:
            f.write(os.urandom(3 * 1024 * 1024 + 17))  # over three 1 MiB chunks, and a space in its name
        with open(os.path.join(cls.folder, "config.json"), "w") as f:
            f.write('{"layers": 4}\n')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def register(self, **kwargs):
        """A version of the run's model: the folder, unless kwargs say otherwise."""
        args = dict(TUPLE, artifact_path=self.folder, artifact_format="PICKLE")
        args.update(kwargs)
        return self.mg.register_version(self.name, **args)

    def test_1_model(self):
        self.assertEqual(self.model["name"], self.name)
        self.assertEqual(self.model["riskTier"], "LOW")
        self.assertEqual(self.mg.model(self.name)["id"], self.model["id"])
        self.assertIsNone(self.mg.model("no-such-model-%s" % uuid.uuid4().hex[:8]))

    def test_2_folder_to_staging(self):
        version = self.register(idempotency_key="register-%s" % self.name)
        self.assertEqual(version["stage"], "DEVELOPMENT")
        self.assertEqual(version["artifact"]["layout"], "FOLDER")
        self.assertEqual(version["artifact"]["status"], "PENDING_UPLOAD")
        self.assertEqual(version["artifact"]["sizeBytes"], sum(sha256_of(os.path.join(r, f))[1] for r, _, fs in os.walk(self.folder) for f in fs))
        self.assertFalse(version["replayed"])
        again = self.register(idempotency_key="register-%s" % self.name)
        self.assertEqual((again["id"], again["replayed"]), (version["id"], True))

        seen = []
        answer = self.mg.upload(version["id"], self.folder, progress=lambda path, sent, total: seen.append((path, sent, total)))
        self.assertEqual([f["path"] for f in answer["files"]], ["MLmodel", "config.json", "weights/model one.bin"])
        self.assertEqual(answer["files"][2]["sha256"], sha256_of(os.path.join(self.folder, "weights", "model one.bin"))[0])
        self.assertEqual(answer["artifact"]["status"], "READY")
        big = [s for s in seen if s[0] == "weights/model one.bin"]
        self.assertGreater(len(big), 1)
        self.assertEqual(big[-1][1:], (3 * 1024 * 1024 + 17,) * 2)
        self.assertEqual(self.mg.wait(version["id"], "ready", timeout=30, interval=0.2)["artifact"]["status"], "READY")

        points = [{"name": "loss", "value": 1.0 / (step + 1), "step": step} for step in range(11999)]
        points.append({"name": "auc", "value": 0.87, "source": "VALIDATION"})
        self.assertEqual(self.mg.log_metrics(version["id"], points), {"count": 12000, "batches": 2})

        self.mg.set_baseline(self.model["id"], "auc", threshold=0.8)
        report = self.mg.validate(version["id"])
        self.assertTrue(report["passed"], report)
        self.assertEqual([(c["metric"], c["candidateValue"], c["passed"]) for c in report["checks"]], [("auc", 0.87, True)])

        key = "promote-%s" % version["id"]
        first = self.mg.promote(version["id"], "STAGING", expected_stage="DEVELOPMENT", reason="validated", idempotency_key=key)
        self.assertEqual((first["version"]["stage"], first["replayed"]), ("STAGING", False))
        second = self.mg.promote(version["id"], "STAGING", expected_stage="DEVELOPMENT", reason="validated", idempotency_key=key)
        self.assertEqual((second["version"]["id"], second["version"]["stage"], second["replayed"]), (version["id"], "STAGING", True))
        self.assertEqual(self.mg.wait(version["id"], "STAGING", timeout=5)["stage"], "STAGING")

        readiness = self.mg.promotion_readiness(version["id"], "PRODUCTION")
        self.assertEqual((readiness["currentStage"], readiness["ready"]), ("STAGING", True))
        # A LOW-risk model's policy asks for no approval: "approved" is reached at once.
        self.assertNotIn("APPROVALS", [g["gate"] for g in readiness["gates"]])
        self.assertTrue(self.mg.wait(version["id"], "approved", timeout=5)["ready"])

    def test_3_a_single_file(self):
        path = os.path.join(self.folder, "config.json")
        version = self.register(artifact_path=path)
        self.assertEqual(version["artifact"]["layout"], "FILE")
        answer = self.mg.upload(version["id"], path)
        self.assertEqual((answer["status"], answer["sha256"]), ("READY", sha256_of(path)[0]))
        with self.assertRaises(Conflict) as refused:  # a READY artifact is never replaced (409)
            self.mg.upload(version["id"], path)
        self.assertEqual(refused.exception.code, "CONFLICT")

    def test_4_gate_failed(self):
        version = self.register()
        self.mg.upload(version["id"], self.folder)
        with self.assertRaises(GateFailed) as refused:
            self.mg.promote(version["id"], "STAGING")
        error = refused.exception
        self.assertEqual(error.code, "GATE_FAILED")
        gates = {g["gate"]: g["passed"] for g in error.gates}
        self.assertEqual((gates["ARTIFACT_READY"], gates["VALIDATION"]), (True, False))

    def test_5_conflict_and_invalid_transition(self):
        version = self.register()
        with self.assertRaises(Conflict) as invalid:
            self.mg.promote(version["id"], "PRODUCTION")
        self.assertEqual(invalid.exception.code, "INVALID_TRANSITION")
        with self.assertRaises(Conflict) as stale:
            self.mg.promote(version["id"], "STAGING", expected_stage="STAGING")
        self.assertEqual(stale.exception.code, "CONFLICT")

    def test_6_not_found(self):
        with self.assertRaises(NotFound) as missing:
            self.mg.validate(str(uuid.uuid4()))
        self.assertEqual(missing.exception.code, "NOT_FOUND")
        with self.assertRaises(NotFound):
            self.mg.promote(str(uuid.uuid4()), "STAGING")

    def test_7_unauthorized(self):
        with self.assertRaises(Unauthorized) as refused:
            Client(token="mg_not_a_token").model(self.name)
        self.assertEqual(refused.exception.code, "UNAUTHENTICATED")
        with self.assertRaises(Unauthorized):
            Client(token="mg_not_a_token").upload(str(uuid.uuid4()), os.path.join(self.folder, "MLmodel"))

    def test_8_bad_input(self):
        with self.assertRaises(BadInput) as refused:
            self.mg.create_model("Not a slug!", "ml-platform")
        self.assertEqual(refused.exception.code, "BAD_USER_INPUT")
        self.assertEqual(refused.exception.field, "name")
        self.assertIsInstance(refused.exception, ModelgraphError)

    def test_9_wait_times_out(self):
        version = self.register()
        started = time.monotonic()
        with self.assertRaises(TimedOut) as waited:
            self.mg.wait(version["id"], "PRODUCTION", timeout=0.5, interval=0.1)
        self.assertEqual(waited.exception.code, "TIMED_OUT")
        self.assertLess(time.monotonic() - started, 5)
        with self.assertRaises(ValueError):
            self.mg.wait(version["id"], "SOMEWHERE")


class RetryTest(unittest.TestCase):
    """promote's retries, against a stand-in that drops the first connection and answers 503 to the second."""

    def test_a_retry_sends_the_same_idempotency_key(self):
        bodies = []

        class Flaky(BaseHTTPRequestHandler):
            def do_POST(self):
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                if len(bodies) == 1:  # the connection drops before an answer
                    self.close_connection = True
                    return
                if len(bodies) == 2:
                    answer, status = {"errors": [{"message": "busy", "extensions": {"code": "UNAVAILABLE"}}]}, 503
                else:
                    version = {"id": "v", "version": 1, "stage": "STAGING", "model": {"name": "m"}, "artifact": {}}
                    answer, status = {"data": {"transitionModelVersion": {"version": version, "archivedVersion": None, "replayed": False}}}, 200
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            mg = Client("http://127.0.0.1:%d" % server.server_address[1], "mg_token")
            answer = mg.promote(str(uuid.uuid4()), "STAGING", expected_stage="DEVELOPMENT")
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(answer["version"]["stage"], "STAGING")
        keys = [b["variables"]["input"]["idempotencyKey"] for b in bodies]
        self.assertEqual(len(keys), 3)
        self.assertEqual(len(set(keys)), 1)
        self.assertEqual(str(uuid.UUID(keys[0])), keys[0])

    def test_b_a_folders_manifest_leaves_out_its_signature_and_version_control(self):
        folder = tempfile.mkdtemp(prefix="mg-py-ignored-")
        try:
            for rel in (".git/HEAD", ".gitignore", "model.sig", "b.bin", "a/z.bin", "a/model.sig"):
                os.makedirs(os.path.dirname(os.path.join(folder, rel)), exist_ok=True)
                with open(os.path.join(folder, rel), "w") as f:
                    f.write(rel)
            # Only at the top: a model.sig deeper down is a file of the model like any other.
            self.assertEqual([f["path"] for f in manifest(folder)["files"]], ["a/model.sig", "a/z.bin", "b.bin"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def test_no_server_is_unavailable(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()  # nothing listens there now
        with self.assertRaises(ModelgraphError) as refused:
            Client("http://127.0.0.1:%d" % port, "mg_token").create_model("m", "ml")  # a write with no key: not retried
        self.assertEqual(refused.exception.code, "UNAVAILABLE")


if __name__ == "__main__":
    unittest.main()
