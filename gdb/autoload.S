/*
 * gdb/autoload.S: a .debug_gdb_scripts entry in every Hermit image (linked in through crt0.o), so
 * that gdb loads the hermit package (gdb/hermit) when it opens an image or its core, once the
 * image's directory is in gdb's auto-load safe-path. The inline script finds the package in the
 * sysroot it was built for, in the installed prefix, or in $HERMIT_GDB_PATH.
 */
	.pushsection ".debug_gdb_scripts", "MS", @progbits, 1
	.byte 4 /* an inline Python script */
	.ascii "hermit-gdb-autoload\n"
	.ascii "import os, sys\n"
	.ascii "for _d in (os.environ.get('HERMIT_GDB_PATH', ''), '"
	.ascii GDB_DIR_BUILD /* "path": from the build (tracing/tracing.mk) */
	.ascii "', '"
	.ascii GDB_DIR_PREFIX
	.ascii "'):\n"
	.ascii "    if _d and os.path.isfile(os.path.join(_d, 'hermit', '__init__.py')):\n"
	.ascii "        if _d not in sys.path:\n"
	.ascii "            sys.path.insert(0, _d)\n"
	.ascii "        break\n"
	.ascii "try:\n"
	.ascii "    import hermit\n"
	.ascii "    hermit.register()\n"
	.ascii "except ImportError as _e:\n"
	.ascii "    print('hermit: the gdb scripts are not installed (%s); set HERMIT_GDB_PATH' % _e)\n"
	.byte 0
	.popsection
	.section .note.GNU-stack, "", @progbits
