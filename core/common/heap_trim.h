#pragma once
// releaseFreeHeapMemory: hands the heap's free pages back to the system (glibc's malloc_trim(0),
// which also releases whole free pages inside an arena, not only at its top; a no-op
// elsewhere). Long runs that allocate and free many buffers of a few MB from worker threads
// (GPTQ's block-by-block run: weights, codes, scratch per linear) otherwise keep the freed
// pieces resident, and their RSS creeps up block after block (measured: about 17 MiB per block
// at the 1.1B shape). Cheap enough to call once per block; never call it per batch.

namespace condense {

void releaseFreeHeapMemory() noexcept;

} // namespace condense
