"""Jupyter protocol conformance of the Distillery kernel, with Debian's jupyter_kernel_test.

Run with the kernelspec installed where JUPYTER_PATH points:
    JUPYTER_PATH=/tmp/prefix/share/jupyter python3 -m unittest -v test_kernel_protocol
"""
import glob
import json
import os
import time
import unittest

import jupyter_kernel_test


class DistilleryKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("DISTILLERY_KERNEL_NAME", "distillery")
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("something went wrong");'
    code_generate_error = 'throw new IllegalStateException("no teacher named cnn");'

    completion_samples = [
        {"text": "Distill.fr", "matches": {"from("}},
        {"text": "%lsma", "matches": {"%lsmagic"}},
    ]
    complete_code_samples = ["1 + 1", "int x = 1;", "%runs --summary"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "String s = \"abc\" +"]

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "%student tiny --spec mlp:64", "result": "mlp 784-64-10 (mlp:64): 50,890 parameters, 784 inputs → 10 outputs"},
    ]

    code_display_data = [
        {"code": 'display(Table.create("t", IntColumn.create("x", 1, 2)));', "mime": "text/html"},
        {"code": 'display(Charts.curves("c", "y", List.of(new Charts.Curve("a", new double[] {1, 2, 3}))));',
         "mime": "image/png"},
    ]

    code_inspect_sample = "Math.max"

    code_clear_output = "clearOutput();"

    # what a cell printed before clearOutput() is cleared, what it prints after stays: in that order
    def test_clear_output_clears_what_came_before(self):
        self.flush_channels()
        reply, outputs = self.execute_helper(
            'System.out.println("before"); display("shown"); clearOutput(); System.out.println("after");'
        )
        self.assertEqual(reply["content"]["status"], "ok")
        seen = []
        for m in outputs:
            if m["msg_type"] == "stream":
                seen += [line for line in m["content"]["text"].splitlines() if line]
            elif m["msg_type"] in ("display_data", "clear_output"):
                seen.append(m["msg_type"])
        self.assertEqual(seen, ["before", "display_data", "clear_output", "after"])

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 * 7"

    # a cell run before a restart is found by a history search after it, under the earlier session
    def test_history_survives_a_kernel_restart(self):
        marker = 'String remembered = "%d";' % time.time_ns()
        reply, _ = self.execute_helper(marker)
        self.assertEqual(reply["content"]["status"], "ok")
        self.km.restart_kernel()
        self.kc.wait_for_ready(timeout=120)
        self.flush_channels()
        reply, _ = self.execute_helper("1 + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        msg_id = self.kc.history(hist_access_type="tail", n=1, output=False, raw=True)
        now = self.get_non_kernel_info_reply(timeout=30)["content"]["history"][0]
        msg_id = self.kc.history(hist_access_type="search", pattern=marker, output=False, raw=True)
        reply = self.get_non_kernel_info_reply(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        found = reply["content"]["history"]
        self.assertEqual([h[2] for h in found], [marker])
        self.assertLess(found[0][0], now[0], "the cell belongs to the session before the restart")

    # interrupt_mode is 'message': the interrupt_request reaches the training loop within a step
    def test_interrupt_stops_training_and_the_kernel_carries_on(self):
        self.flush_channels()
        msg_id = self.kc.execute(
            "%distill mlp:16 --loss scratch --data fashion-mnist:train=3000,val=500,test=500 --epochs 1000 --name long"
        )
        deadline = time.time() + 120
        updates = 0
        epoch_done = False
        while updates < 3 or not epoch_done:  # the live progress area is updated in place as training runs
            self.assertLess(time.time(), deadline, "no progress updates from training")
            msg = self.kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "update_display_data":
                updates += 1
                epoch_done = epoch_done or "epoch 2/" in str(msg["content"]["data"])
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=120)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "TrainingInterruptedException")
        while True:  # the interrupted cell's remaining output, up to its idle status
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                    and msg["content"]["execution_state"] == "idle":
                break
        runs = os.environ.get("DISTILLERY_RUNS")
        if runs:  # the run store: the run marked interrupted, with the epochs it finished and its checkpoint
            records = []
            for f in glob.glob(os.path.join(runs, "*long*", "record.json")):
                with open(f) as record:
                    records.append(json.load(record))
            self.assertEqual([r["status"] for r in records], ["interrupted"])
            self.assertGreaterEqual(len(records[0]["curve"]), 1, "the epochs finished before the interrupt")
            self.assertTrue(glob.glob(os.path.join(runs, records[0]["id"], "checkpoint", "*")), "its checkpoint is kept")
        self.flush_channels()
        reply, outputs = self.execute_helper("40 + 2")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [o for o in outputs if o["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")


if __name__ == "__main__":
    unittest.main()
