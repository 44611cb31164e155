#pragma once
// Settings for interactive processes (the GUI and the benchmarks that time it): the
// engine's kernels run on every core while a person drags a slider, and the GUI thread
// must still get a core and its memory at once.
namespace rb {

/// Keeps freed multi-megabyte buffers in the process, for main() before any thread starts.
/// Every change of the Score panel's preview allocates and frees a few hundred megabytes in
/// buffers of a few megabytes (scores, composite planes, crops); glibc hands chunks that
/// large back to the kernel on free (fresh mappings, heap trimming), so the next change
/// page-faults all of them in again, which on a virtual machine was most of a change's time.
/// glibc: chunks up to 32 MiB (its largest threshold) from the arenas, no trimming below
/// 1 GiB. A no-op on other C libraries.
void keep_freed_memory();

/// Lowers the calling thread's CPU priority (nice +10, once per thread) and that of the
/// oneTBB workers that join its parallel loops, for threads that run background jobs: on a
/// machine with fewer cores than busy threads the scheduler then runs a thread of normal
/// priority (the GUI's) as soon as it is ready, instead of after the kernels' time slices.
/// Linux only; elsewhere (or when the system refuses) a no-op.
void lower_background_priority();

} // namespace rb
