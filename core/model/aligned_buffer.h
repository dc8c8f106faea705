#pragma once
// AlignedBuffer: a growable byte buffer aligned to 64 bytes (one cache line, one AVX-512
// vector), for activations and scratch the SIMD kernels load with aligned or full-line loads.
// Growing discards the contents.

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#if defined(_WIN32)
#include <malloc.h>
#endif

namespace condense::model {

class AlignedBuffer {
public:
    static constexpr std::size_t kAlignment = 64;

    std::byte* data() { return m_data.get(); }
    const std::byte* data() const { return m_data.get(); }
    std::size_t capacity() const { return m_capacity; }

    template <typename T>
    T* as() { return reinterpret_cast<T*>(m_data.get()); }

    // Ensures room for `bytes` bytes (rounded up to the alignment); old contents are lost on growth.
    void reserve(std::size_t bytes)
    {
        if (bytes <= m_capacity) return;
        const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
#if defined(_WIN32)
        void* p = _aligned_malloc(rounded, kAlignment); // MSVC has no std::aligned_alloc
#else
        void* p = std::aligned_alloc(kAlignment, rounded);
#endif
        if (p == nullptr) throw std::bad_alloc();
        m_data.reset(static_cast<std::byte*>(p));
        m_capacity = rounded;
    }

private:
    struct Free {
        void operator()(std::byte* p) const
        {
#if defined(_WIN32)
            _aligned_free(p);
#else
            std::free(p);
#endif
        }
    };
    std::unique_ptr<std::byte, Free> m_data;
    std::size_t m_capacity = 0;
};

} // namespace condense::model
