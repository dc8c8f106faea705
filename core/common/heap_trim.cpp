#include "core/common/heap_trim.h"

#include <cstdlib> // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace condense {

void releaseFreeHeapMemory() noexcept
{
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

} // namespace condense
