"""Jupyter protocol conformance of the Distillery kernel, with Debian's jupyter_kernel_test.

Run with the kernelspec installed where JUPYTER_PATH points:
    JUPYTER_PATH=/tmp/prefix/share/jupyter python3 -m unittest -v test_kernel_protocol
"""
import os
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

    code_inspect_sample = "Distill.from("


if __name__ == "__main__":
    unittest.main()
