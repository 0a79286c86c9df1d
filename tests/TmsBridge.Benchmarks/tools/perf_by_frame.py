#!/usr/bin/env python3
"""Attributes the CPU samples of a `perf record -g` of a .NET process to TmsBridge's code (docs/performance.md,
"How the cost was attributed"). Run the process with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so
perf can name JIT-compiled frames.

    perf_by_frame.py perf.data                 samples per process, TmsBridge's share, by outermost TmsBridge frame
    perf_by_frame.py perf.data TEXT            only the samples whose outermost TmsBridge frame contains TEXT:
                                               where they land (JIT, runtime, kernel, managed code) and the innermost frames
"""
import collections
import re
import subprocess
import sys


def samples(data):
    out = subprocess.run(['perf', 'script', '-i', data, '-F', 'pid,tid,comm,ip,sym,dso'], capture_output=True, text=True, check=True).stdout
    for block in out.split('\n\n'):
        lines = [l for l in block.strip().split('\n') if l.strip()]
        m = re.match(r'\s*(.*?)\s+(\d+)/(\d+)', lines[0]) if lines else None
        if m:
            yield m.group(2), lines[1:]


def frame(line):
    return re.sub(r'\s*\(/tmp/perf-\d+\.map\)\s*$', '', re.sub(r'^\s*[0-9a-f]+\s+', '', line))


def dso(line):
    m = re.search(r'\(([^)]*)\)\s*$', line)
    return m.group(1).split('/')[-1] if m else '?'


def main():
    data = sys.argv[1]
    only = sys.argv[2] if len(sys.argv) > 2 else None
    per_process, ours, outer, leaf, inner = (collections.Counter() for _ in range(5))
    for pid, frames in samples(data):
        per_process[pid] += 1
        mine = [f for f in frames if 'TmsBridge' in f]
        if not mine:
            continue
        if only and only not in mine[-1]:
            continue
        ours[pid] += 1
        outer[frame(mine[-1])[:150]] += 1
        leaf[dso(frames[0]) if frames else '?'] += 1
        inner[frame(mine[0])[:150]] += 1
    print('samples per process:', per_process.most_common(4))
    print('with a TmsBridge frame:', ours.most_common(4))
    print('where they land:', leaf.most_common(8))
    print('outermost TmsBridge frame:')
    for name, count in outer.most_common(12):
        print(f'  {count:6d}  {name}')
    if only:
        print('innermost TmsBridge frame:')
        for name, count in inner.most_common(25):
            print(f'  {count:6d}  {name}')


if __name__ == '__main__':
    main()
