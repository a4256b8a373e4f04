// Package docs runs the shell examples of the repository's markdown
// (README.md, every *.md at the top and under docs/) against the built
// tools, so that the documentation cannot drift from what the tools do.
// Run by make integration (scripts/integration.sh); needs root.
//
// The convention, as the markdown writes it:
//
//   - An example is a fenced code block whose first line starts with a
//     prompt, "$ " or "# " (root). Every line starting with that prompt is a
//     command; the lines after it, up to the next prompt, are what it prints
//     on stdout and stderr together, in order. A line "[exit N]" among them
//     is not output but the command's exit code.
//   - Exit codes: "[exit N]"; else a following "$ echo $?" prints it; else a
//     trailing comment saying "exit N"; else 0. Commands ending in "&" run
//     in the background and are not checked.
//   - In an output line, "…" stands for any text (times, ports, pids).
//     Trailing blanks and carriage returns are ignored.
//   - HTML comments right before the block, one per line, invisible when
//     rendered, say how to run it:
//     <!-- example: skip REASON -->       not run here, and why;
//     <!-- example: needs no-af_alg -->   run only where the condition holds
//     (af_alg, no-af_alg, can, no-can), skipped elsewhere;
//     <!-- example: setup SHELL -->       prepare files first (silent);
//     <!-- example: server CMD -->        a partner started in the background
//     <!-- example: ready TEXT -->        ... and waited for until it prints
//     a line containing TEXT; stopped with SIGTERM at the end;
//     <!-- example: wait-socket PATH -->  after each "&" command, wait until
//     PATH is a socket;
//     <!-- example: stop -->              send SIGTERM to the block's own
//     background commands at its end (else they must end by themselves).
//
// Each block runs as one bash script in new network and mount namespaces
// (lo up, a fresh tmpfs on /tmp, the working directory empty under it),
// with $SOCKCORE_BIN first on PATH and stdin at /dev/null, so fixed ports
// and /tmp paths of the examples never meet another test's.
package docs
