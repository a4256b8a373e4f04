package sockcore

import (
	"os"
	"sync"
	"syscall"
	"time"
)

// The netdb files are read again whenever they change, as glibc does, but
// parsed once per version: a version is the file's inode, size and
// modification time. Parsed values are shared and never modified.

type fileVersion struct {
	ino   uint64
	size  int64
	mtime time.Time
}

type cachedFile struct {
	ver    fileVersion
	parsed any
}

var fileCache sync.Map // key{path, kind} -> cachedFile

type cacheKey struct{ path, kind string }

// cachedParse returns parse(contents of path), reusing the last result
// while the file is unchanged. A missing file parses as nil data.
func cachedParse[T any](path, kind string, parse func([]byte) T) T {
	var ver fileVersion
	if fi, err := os.Stat(path); err == nil {
		ver.size, ver.mtime = fi.Size(), fi.ModTime()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			ver.ino = st.Ino
		}
	}
	k := cacheKey{path, kind}
	if c, ok := fileCache.Load(k); ok && c.(cachedFile).ver == ver {
		return c.(cachedFile).parsed.(T)
	}
	v := parse(readFile(path))
	fileCache.Store(k, cachedFile{ver, v})
	return v
}
