#!/usr/bin/env python3
"""Extracts the part of the RDS API model (botocore's rds/2014-10-31/service-2.json) that DrTools calls into
tests/DrTools.Core.Tests/Aws/Rds/rds-model-subset.json, the fixture RdsModelConformanceTests checks the wire against.

The operations are the ones the RDS service classes call (CallAsync("X"... / PagesAsync("X"... in
src/DrTools.Core/Aws/Rds/*.cs), so a new call is picked up by re-running this script. For each operation:
  input:  the request members flattened the Query way (Tags.Tag.N.Key, Filters.Filter.N.Values.Value.N,
          TagKeys.member.N: a list member is named by its locationName, "member" when it has none), and the
          required top-level members;
  output: the result wrapper and its members; every structure and list shape reachable from the outputs is listed
          under "shapes" (member name -> shape, list -> its member's element name), so a test can build a complete
          response from the model.

Usage: python3 build/rds-model-subset.py [--model PATH] [--source TEXT]
  --model   service-2.json to read (default: python3-botocore's, /usr/lib/python3/dist-packages/botocore/data/...)
  --source  how the fixture names the model's origin (default: "botocore <version>" of the installed package)
The model is Apache-2.0 (botocore, Copyright Amazon.com, Inc. or its affiliates); the fixture says so in its header.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SOURCES = os.path.join(ROOT, "src", "DrTools.Core", "Aws", "Rds")
OUT = os.path.join(ROOT, "tests", "DrTools.Core.Tests", "Aws", "Rds", "rds-model-subset.json")
DEFAULT_MODEL = "/usr/lib/python3/dist-packages/botocore/data/rds/2014-10-31/service-2.json"
CALL = re.compile(r'\b(?:CallAsync|PagesAsync)\(\s*"([A-Z][A-Za-z0-9]+)"')
SCALARS = {"string", "integer", "long", "boolean", "timestamp", "double", "float", "blob"}


def called_operations():
    ops = set()
    for name in sorted(os.listdir(SOURCES)):
        if name.endswith(".cs"):
            with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
                ops.update(CALL.findall(f.read()))
    return sorted(ops)


def flatten(shapes, shape_name, prefix, out, depth=0):
    """The Query-protocol names of a request member (N stands for a 1-based list index)."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if depth > 8:
        raise SystemExit(f"{prefix}: nesting deeper than 8 (a recursive shape?)")
    if kind == "structure":
        for member, ref in shape["members"].items():
            flatten(shapes, ref["shape"], f"{prefix}.{member}" if prefix else member, out, depth + 1)
    elif kind == "list":
        if shape.get("flattened"):
            raise SystemExit(f"{prefix}: flattened lists are not used by RDS; extend the script")
        element = shape["member"].get("locationName", "member")
        flatten(shapes, shape["member"]["shape"], f"{prefix}.{element}.N", out, depth + 1)
    elif kind == "map":
        flatten(shapes, shape["key"]["shape"], f"{prefix}.entry.N.key", out, depth + 1)
        flatten(shapes, shape["value"]["shape"], f"{prefix}.entry.N.value", out, depth + 1)
    else:
        out.append(prefix)


def describe_ref(shapes, ref):
    shape = shapes[ref["shape"]]
    if shape["type"] in SCALARS:
        return shape["type"]
    return ref["shape"]


def collect(shapes, shape_name, seen):
    """Every structure/list shape reachable from shape_name, as {member: shape-or-scalar-type}."""
    if shape_name in seen:
        return
    shape = shapes[shape_name]
    if shape["type"] == "structure":
        seen[shape_name] = {"type": "structure", "members": {m: describe_ref(shapes, r) for m, r in shape["members"].items()}}
        for r in shape["members"].values():
            collect(shapes, r["shape"], seen)
    elif shape["type"] == "list":
        seen[shape_name] = {"type": "list", "element": shape["member"].get("locationName", "member"),
                            "member": describe_ref(shapes, shape["member"])}
        collect(shapes, shape["member"]["shape"], seen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--source")
    args = parser.parse_args()
    with open(args.model, encoding="utf-8") as f:
        model = json.load(f)
    source = args.source
    if source is None:
        import botocore  # the installed package the default model belongs to
        source = f"botocore {botocore.__version__} ({args.model})"
    shapes = model["shapes"]
    operations = {}
    output_shapes = {}
    missing = []
    for op in called_operations():
        if op not in model["operations"]:
            missing.append(op)
            continue
        spec = model["operations"][op]
        entry = {"input": {"required": [], "members": []}, "output": None}
        if "input" in spec:
            input_shape = shapes[spec["input"]["shape"]]
            entry["input"]["required"] = sorted(input_shape.get("required", []))
            names = []
            flatten(shapes, spec["input"]["shape"], "", names)
            entry["input"]["members"] = sorted(names)
        if "output" in spec:
            out_name = spec["output"]["shape"]
            entry["output"] = {"wrapper": spec["output"].get("resultWrapper"), "shape": out_name}
            collect(shapes, out_name, output_shapes)
        operations[op] = entry
    if missing:
        sys.exit(f"{args.model} lacks operations DrTools calls: {', '.join(missing)} (use a newer botocore model with --model)")
    fixture = {
        "_comment": [
            "Generated by build/rds-model-subset.py from the AWS RDS API model (API version "
            + model["metadata"]["apiVersion"] + "): " + source + ".",
            "The model is part of botocore (https://github.com/boto/botocore), Copyright Amazon.com, Inc. or its affiliates,",
            "licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0). Only member names,",
            "required lists and shape structure are extracted; documentation is left out. Do not edit: re-run the script.",
        ],
        "apiVersion": model["metadata"]["apiVersion"],
        "operations": operations,
        "shapes": dict(sorted(output_shapes.items())),
    }
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        json.dump(fixture, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{OUT}: {len(operations)} operations, {len(output_shapes)} output shapes from {source}")


if __name__ == "__main__":
    main()
