// Package canbench measures canrelay's relay rates against the kernel's
// cangw and a candump | cansend pipeline inside the kernel VM. It is not in
// integration/vm/packages.txt: bench/can.sh runs it through scripts/vmtest.sh.
package canbench
