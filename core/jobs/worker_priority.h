#pragma once
// Background workers: an interactive program (the GUI) asks that every oneTBB worker thread
// run at a lower scheduling priority than its own threads, so that on a machine whose cores
// are all busy with a job, the window still gets the CPU the moment it needs it. The CLI leaves
// the priority alone. Linux: a nice value per worker thread, set as it joins an arena (a
// global task_scheduler_observer); elsewhere a no-op.
namespace condense::jobs {

// Idempotent; `niceness` 1..19 (Linux). Returns false where the platform has no such control.
bool lowerWorkerThreadPriority(int niceness = 10);

// The calling thread only (a job's own thread, which also runs arena work).
bool lowerCurrentThreadPriority(int niceness = 10);

} // namespace condense::jobs
