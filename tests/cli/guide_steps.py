#!/usr/bin/env python3
"""guide_steps.py — the runnable commands of docs/integrator-guide.md, for
tests/cli/test_integrator_guide.sh (docs/development.md, "The integrator
guide is a test").

The convention, stated at the top of the guide:
  - every fenced block has an info string;
  - a ```sh block is a script: each command (continuation lines joined) is run;
  - a ```console block is a transcript: a line starting with a prompt
    ("$ ", "ca$ ", "kiosk$ ") is a command, the lines after it up to the next
    prompt are its expected output ("..." = lines left out);
  - an sh or console block right after `<!-- guide-test: skip (REASON) -->`
    is not run (REASON is required);
  - `<!-- guide-test: daemon, ready when the log shows WORD -->` before a block
    of one command: it is started in the background and the test waits
    (with a deadline) until its log shows WORD; it is stopped at the end;
  - `<!-- guide-test: log -->` before a ```text block: its lines must appear
    in that daemon's log;
  - every other block (text, ...) is never run.

Subcommands:
  extract GUIDE OUTDIR   one folder per step: line, mode, cmd, expect
                         (mode: run, run-may-fail, daemon:WORD, log);
                         prints the skipped blocks with their reasons
  match EXPECT OUT[:ERR] BINDINGS MAP [tail]
                         the expected lines appear in OUT or ERR in order (spaces
                         collapsed; tokens and serials are values bound on
                         first sight and reused; dates, pid=, abi=, peer=
                         values and numbers between spaces (a table's
                         columns) are anything); exit 1 naming the
                         first line that is not there ("LINE<tab>TEXT"; tail: an expected
                         line may be the end of the actual line)
  subst CMDFILE BINDINGS MAP
                         the command with the guide's paths mapped into the
                         sandbox and the values bound so far put in
  lo-up                  bring up the loopback (in a new network namespace)
"""
import json
import os
import re
import sys

PROMPT = re.compile(r'^(?:[a-z]+)?\$ (.*)$')
MARK = re.compile(r'^<!--\s*guide-test:\s*(.*?)\s*-->\s*$')
FENCE = re.compile(r'^(\s*)```(.*)$')

# values that differ from run to run: tokens and serials are bound on first
# sight, then literal; the others may be anything of their kind
VALUE = re.compile(
    r'(?P<token>\b[0-9a-f]{4}(?:-[0-9a-f]{4}){7}\b)'
    r'|(?P<dt>\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)'
    r'|(?P<date>\b\d{4}-\d\d-\d\d\b)'
    r'|(?P<hex>\b(?=[0-9A-Fa-f]*\d)[0-9A-Fa-f]{8,}\b)'
    r'|(?P<kv>\b(?:pid|abi|peer)=\S+)'
    r'|(?P<num>(?<=\s)\d+(?=\s))')     # a number in a table (pki list DAYS)
PATTERN = {'token': r'[0-9a-f]{4}(?:-[0-9a-f]{4}){7}',
           'dt': r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ',
           'date': r'\d{4}-\d\d-\d\d',
           'hex': r'[0-9A-Fa-f]{8,}'}


def die(msg):
    print('guide_steps: ' + msg, file=sys.stderr)
    sys.exit(2)


def blocks(path):
    """(marker, info, first line number, [(lineno, text)]) per fenced block"""
    lines = open(path, encoding='utf-8').read().split('\n')
    out, marker, i = [], None, 0
    while i < len(lines):
        m = MARK.match(lines[i].strip())
        f = FENCE.match(lines[i])
        if m:
            marker = (m.group(1), i + 1)
        elif f:
            indent, info = f.group(1), f.group(2).strip()
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not re.match(r'^\s*```\s*$', lines[i]):
                body.append((i + 1, lines[i][len(indent):]))
                i += 1
            if i == len(lines):
                die('%s:%d: fenced block never closed' % (path, start))
            if not info:
                die('%s:%d: fenced block without an info string (sh, console, '
                    'text, ...: see the top of the guide)' % (path, start))
            out.append((marker[0] if marker else None, info, start, body))
            marker = None
        elif lines[i].strip() and marker and marker[0].startswith('skip'):
            die('%s:%d: guide-test marker not followed by a fenced block'
                % (path, marker[1]))
        i += 1
    return out


def commands(info, body):
    """[(lineno, command, [expected lines])] of an sh or console block"""
    cmds = []
    cur = None
    for no, text in body:
        if cur is not None and cur[1].endswith('\\'):
            cur[1] = cur[1] + '\n' + text
            continue
        if info == 'sh':
            if text.strip():
                cur = [no, text, []]
                cmds.append(cur)
            continue
        m = PROMPT.match(text)
        if m:
            cur = [no, m.group(1), []]
            cmds.append(cur)
        elif cur is not None:
            cur[2].append((no, text))
        elif text.strip():
            die('console block line %d: output before any command' % no)
    return cmds


def extract(guide, outdir):
    n, run, skipped = 0, 0, []
    daemon = False

    def step(line, mode, cmd, expect):
        nonlocal n
        n += 1
        d = os.path.join(outdir, '%04d' % n)
        os.makedirs(d)
        for name, val in (('line', str(line)), ('mode', mode),
                          ('cmd', cmd),
                          ('expect', '\n'.join('%d\t%s' % e for e in expect))):
            with open(os.path.join(d, name), 'w', encoding='utf-8') as f:
                f.write(val + '\n')

    for marker, info, start, body in blocks(guide):
        if marker and marker.startswith('skip'):
            m = re.match(r'skip\s*\((.+)\)$', marker)
            if not m:
                die('%s:%d: "guide-test: skip" needs a reason in parentheses'
                    % (guide, start))
            if info not in ('sh', 'console'):
                die('%s:%d: skip marker on a %s block (never run anyway)'
                    % (guide, start, info))
            skipped.append((start, m.group(1)))
            continue
        if marker == 'log':
            if info != 'text' or not daemon:
                die('%s:%d: "guide-test: log" wants a text block after a daemon'
                    % (guide, start))
            step(start, 'log', '', body)
            continue
        if info not in ('sh', 'console'):
            if marker:
                die('%s:%d: marker "%s" on a %s block' % (guide, start, marker, info))
            continue
        run += 1
        cmds = commands(info, body)
        if marker:
            m = re.match(r'daemon, ready when the log shows (\S+)$', marker)
            if not m or len(cmds) != 1:
                die('%s:%d: unknown marker "%s" (or a daemon block with more '
                    'than one command)' % (guide, start, marker))
            step(cmds[0][0], 'daemon:' + m.group(1), cmds[0][1], cmds[0][2])
            daemon = True
            continue
        for k, (line, cmd, expect) in enumerate(cmds):
            nxt = cmds[k + 1][1] if k + 1 < len(cmds) else ''
            mode = 'run-may-fail' if nxt.strip() == 'echo $?' else 'run'
            step(line, mode, cmd, expect)
    print('%d blocks run (%d commands), %d skipped:' % (run, n, len(skipped)))
    for line, why in skipped:
        print('  line %d: %s' % (line, why))


def load_map(path):
    pairs = []
    for line in open(path, encoding='utf-8'):
        if line.strip():
            guide, sandbox = line.rstrip('\n').split('\t')
            pairs.append((guide, sandbox))
    return pairs


def load_bindings(path):
    try:
        return json.load(open(path, encoding='utf-8'))
    except FileNotFoundError:
        return {}


def unmap(text, pairs):
    """the sandbox's paths in a program's output shown as the guide's"""
    back = {sandbox: guide for guide, sandbox in pairs}
    rx = '|'.join(re.escape(x) for x in sorted(back, key=len, reverse=True))
    return re.sub(rx, lambda m: back[m.group(0)], text)


def line_regex(expected, bindings, tail=False):
    """(regex, [(group, guide literal)]) of one expected line; tail: it may
    be the end of the actual line (a log line after its ts=, level=, comp=)"""
    parts, groups, pos = [], [], 0
    for m in VALUE.finditer(expected):
        parts.append(re.escape(expected[pos:m.start()]))
        lit = m.group(0)
        if m.lastgroup == 'kv':
            parts.append(re.escape(lit.split('=')[0]) + r'=\S+')
        elif m.lastgroup == 'num':
            parts.append(r'\d+')
        elif m.lastgroup in ('date', 'dt'):    # never carried on: a run may cross midnight
            parts.append(PATTERN[m.lastgroup])
        elif lit in bindings:
            parts.append(re.escape(bindings[lit]))
        else:
            g = 'v%d' % len(groups)
            groups.append((g, lit))
            parts.append('(?P<%s>%s)' % (g, PATTERN[m.lastgroup]))
        pos = m.end()
    parts.append(re.escape(expected[pos:]))
    rx = re.sub(r'(\\\s)+|\s+', r'\\s+', ''.join(parts))
    return re.compile((r'^(?:.*\s)?' if tail else r'^\s*') + rx + r'\s*$'), groups


def match(expect_file, actual_files, bind_file, map_file, how='whole'):
    """actual_files: OUT[:ERR] -- a terminal interleaves the two streams as
    they are written, a file does not: each expected line is looked for in
    either stream, in order within that stream"""
    pairs = load_map(map_file)
    bindings = load_bindings(bind_file)
    expected = [l.split('\t', 1) for l in open(expect_file, encoding='utf-8').read().split('\n')
                if '\t' in l]
    expected = [(no, e) for no, e in expected if e.strip() and e.strip() not in ('...', '\u2026')]
    streams = [unmap(open(f, encoding='utf-8', errors='replace').read(), pairs).split('\n')
               for f in actual_files.split(':')]
    pos = [0] * len(streams)
    for no, e in expected:
        rx, groups = line_regex(e.strip(), bindings, how == 'tail')
        for k, lines in enumerate(streams):
            m = None
            for i in range(pos[k], len(lines)):
                m = rx.match(lines[i])
                if m:
                    pos[k] = i + 1
                    break
            if m:
                for g, lit in groups:
                    bindings[lit] = m.group(g)
                break
        else:
            print('%s\t%s' % (no, e.strip()))
            return 1
    with open(bind_file, 'w', encoding='utf-8') as f:
        json.dump(bindings, f)
    return 0


def subst(cmd_file, bind_file, map_file):
    cmd = open(cmd_file, encoding='utf-8').read().rstrip('\n')
    bindings = load_bindings(bind_file)

    def value(m):
        w = m.group(0)
        if w in bindings:
            return bindings[w]
        for lit, val in bindings.items():   # a serial's prefix (pki renew --serial)
            if len(w) >= 8 and lit.upper().startswith(w.upper()) and len(val) >= len(w):
                return val[:len(w)]
        return w
    cmd = re.sub(r'[0-9a-f]{4}(?:-[0-9a-f]{4}){7}|\b[0-9A-Fa-f]{8,}\b', value, cmd)
    to = dict(load_map(map_file))    # one pass: a sandbox path is not mapped again
    rx = '|'.join(re.escape(x) for x in sorted(to, key=len, reverse=True))
    cmd = re.sub(r'(?<![\w./-])(?:' + rx + r')(?![\w.-])', lambda m: to[m.group(0)], cmd)
    sys.stdout.write(cmd + '\n')
    return 0


def lo_up():
    """bring up the loopback of a fresh network namespace (what `ip link set
    lo up` does, without needing iproute2)"""
    import fcntl
    import socket
    import struct
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(sock, 0x8913, struct.pack('16sh22x', b'lo', 0))  # SIOCGIFFLAGS
    flags = struct.unpack('16sh22x', ifr)[1]
    fcntl.ioctl(sock, 0x8914, struct.pack('16sh22x', b'lo', flags | 1))  # SIOCSIFFLAGS IFF_UP
    return 0


def main(argv):
    if len(argv) == 3 and argv[0] == 'extract':
        extract(argv[1], argv[2])
        return 0
    if len(argv) in (5, 6) and argv[0] == 'match':
        return match(*argv[1:])
    if len(argv) == 4 and argv[0] == 'subst':
        return subst(*argv[1:])
    if argv == ['lo-up']:
        return lo_up()
    die('usage: extract GUIDE OUTDIR | match EXPECT OUT[:ERR] BINDINGS MAP [tail] | '
        'subst CMDFILE BINDINGS MAP | lo-up')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
