"""The Distillery kernel survives the user's code: busy loops interrupted, exits refused, output
that arrives whole, background exceptions shown. Each test drives the installed kernelspec through
Debian's jupyter_client, as a notebook front end does.

    JUPYTER_PATH=/tmp/prefix/share/jupyter python3 -m unittest -v test_kernel_faults

Each test notes what it measured; the lines, starting with "measured:", are printed at the end.
"""
import os
import time
import unittest

from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("DISTILLERY_KERNEL_NAME", "distillery")
MEASURED = []


def measured(line):
    MEASURED.append("measured: " + line)


class KernelFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        if cls.km.is_alive():
            cls.km.shutdown_kernel(now=True)
        print("\n".join(MEASURED), flush=True)

    def run_cell(self, code, timeout=60, interrupt_after=None):
        """Executes code; returns (reply, outputs up to the idle status). With interrupt_after, sends
        an interrupt that many seconds after the request, and again 5 s later if no reply came."""
        self.assertTrue(self.km.is_alive(), "the kernel died before: " + code)
        msg_id = self.kc.execute(code)
        outputs, reply, idle = [], None, False
        start = time.time()
        interrupts = 0
        while reply is None or not idle:
            elapsed = time.time() - start
            self.assertLess(elapsed, timeout, "no reply and idle status within %d s for: %s" % (timeout, code))
            if interrupt_after is not None and reply is None and elapsed > interrupt_after + 5 * interrupts:
                self.km.interrupt_kernel()
                interrupts += 1
            if reply is None:
                try:
                    msg = self.kc.get_shell_msg(timeout=0.05)
                    if msg["parent_header"].get("msg_id") == msg_id:
                        reply = msg
                except Exception:
                    pass
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
            except Exception:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                idle = msg["content"]["execution_state"] == "idle"
            elif msg["msg_type"] != "execute_input":
                outputs.append(msg)
        return reply, outputs, time.time() - start

    def text(self, outputs, name="stdout"):
        return "".join(o["content"]["text"] for o in outputs
                       if o["msg_type"] == "stream" and o["content"]["name"] == name)

    def errors(self, outputs):
        return [o["content"] for o in outputs if o["msg_type"] == "error"]

    def assert_answers(self):
        reply, outputs, _ = self.run_cell("1 + 1", timeout=30)
        self.assertEqual(reply["content"]["status"], "ok")
        results = [o for o in outputs if o["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "2")

    def test_a_busy_loop_is_stopped_by_an_interrupt_and_the_session_keeps_its_variables(self):
        self.run_cell('String kept = "still here";')
        for loop in ["while (true) {}", "long n = 0; for (;;) n++;"]:
            reply, outputs, seconds = self.run_cell(loop, timeout=40, interrupt_after=2)
            self.assertEqual(reply["content"]["status"], "error", loop)
            shown = " ".join(" ".join(e["traceback"]) for e in self.errors(outputs))
            self.assertIn("stopped", shown, loop)
            start = time.time()
            reply, outputs, _ = self.run_cell("kept", timeout=15)
            self.assertEqual(outputs[0]["content"]["data"]["text/plain"], 'still here')
            measured("%s interrupted 2 s in: replied %.1f s after the request; next cell answered in "
                  "%.1f s" % (loop, seconds, time.time() - start))

    def test_exits_from_a_cell_or_another_thread_are_errors_and_the_kernel_lives(self):
        for code in ["System.exit(0);", "Runtime.getRuntime().halt(3);",
                     "new Thread(() -> System.exit(3)).start(); Thread.sleep(500);"]:
            reply, outputs, _ = self.run_cell(code, timeout=30)
            shown = " ".join(" ".join(e["traceback"]) for e in self.errors(outputs)) + self.text(outputs, "stderr")
            self.assertIn("exit", shown.lower(), code)
            self.assertTrue(self.km.is_alive(), "the kernel died on " + code)
            self.assert_answers()
            measured("%s -> kernel alive, shown: %s" % (code, shown.strip().splitlines()[0][:120]))

    def test_every_printed_character_arrives(self):
        for lines, width in [(20000, 99), (51200, 1023)]:
            code = 'for (int i = 0; i < %d; i++) System.out.println("x".repeat(%d));' % (lines, width)
            reply, outputs, seconds = self.run_cell(code, timeout=300)
            self.assertEqual(reply["content"]["status"], "ok")
            got = self.text(outputs)
            expected = lines * (width + 1)
            left_out = "left out" in got
            counted = got.count("x") + got.count("\n") if not left_out else None
            measured("%d lines of %d B: %d of %d characters shown in %d messages, %.1f s%s" % (
                lines, width + 1, len(got), expected, len(outputs), seconds,
                " (head and tail kept, the rest in a file)" if left_out else ""))
            if left_out:
                self.assertIn("written to", got)
                path = got.split("written to ")[1].split()[0].rstrip(".;,)]")
                with open(path) as f:
                    whole = f.read()
                self.assertEqual(len(whole), expected, "the file holds the whole stream")
            else:
                self.assertEqual(counted, expected)
        self.assert_answers()

    def test_an_exception_in_a_background_thread_is_shown(self):
        reply, outputs, _ = self.run_cell(
            'new Thread(() -> { throw new IllegalStateException("from the background"); }).start(); '
            'Thread.sleep(300);')
        during = self.text(outputs, "stderr")
        self.run_cell('new Thread(() -> { try { Thread.sleep(500); } catch (InterruptedException e) {} '
                      'throw new IllegalStateException("after the cell"); }).start();')
        time.sleep(1.5)
        reply, outputs, _ = self.run_cell("1 + 1")
        after = self.text(outputs, "stderr")
        measured("during the cell: %r; in the next cell: %r" % (during.strip()[:100], after.strip()[:100]))
        self.assertIn("from the background", during)
        self.assertIn("after the cell", after)

    def test_z_a_shutdown_request_from_jupyter_still_ends_the_kernel(self):
        # runs last (by name): the exits refused above must not keep Jupyter from ending the kernel
        self.assert_answers()
        start = time.time()
        self.km.request_shutdown()
        while self.km.is_alive() and time.time() - start < 20:
            time.sleep(0.1)
        self.assertFalse(self.km.is_alive(), "the kernel did not exit within 20 s of a shutdown request")
        measured("a shutdown request ended the kernel in %.1f s" % (time.time() - start))


if __name__ == "__main__":
    unittest.main()
