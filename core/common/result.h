#pragma once
// Result<T>: a value or an Error. Core never throws across its API and never writes
// user-facing sentences: an Error carries a code plus technical context (file, tensor,
// byte offset, a short detail). ui/i18n turns codes into translated text; the CLI prints
// "<file>: <describe(error)>".

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace condense {

enum class ErrorCode : std::uint8_t {
    Ok = 0,
    Cancelled,
    NotFound,          // path does not exist
    IoError,           // open/read/write/rename failed
    DiskFull,          // ENOSPC / EDQUOT while writing
    Truncated,         // file ends before a structure it announces
    BadMagic,          // not the format it claims to be
    UnsupportedVersion,
    Malformed,         // structurally invalid (bad JSON, bad UTF-8, overlapping ranges, ...)
    OutOfRange,        // offsets/sizes beyond the file
    Overflow,          // a size computation overflows 64 bits
    UnsupportedType,   // unknown dtype / ggml type id
    UnsupportedFormat, // not a model we can open (directory without weights, unknown extension)
    PickleRefused,     // .bin/.pt/.pth: never unpickled
    UnsupportedArchitecture,
    InvalidArgument,   // a caller asked for something impossible (bad output type, ...)
    MissingTensor,
    MissingTokenizer,
};

// Short English phrase naming the code (for logs and the CLI; the GUI uses ui/i18n).
const char* errorCodeName(ErrorCode code) noexcept;

struct Error {
    ErrorCode code = ErrorCode::Ok;
    std::string file;    // file the problem is in (may be empty)
    std::string detail;  // technical detail: "header length 1099511627776 exceeds file size 120"
    std::string tensor;  // tensor name, when it concerns one
    std::int64_t offset = -1; // byte offset in file, when known
};

// "<code phrase>: <detail> (tensor X, at byte N)" without the file name.
std::string describe(const Error& e);

inline Error makeError(ErrorCode code, std::string file, std::string detail, std::int64_t offset = -1)
{
    return Error{code, std::move(file), std::move(detail), {}, offset};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(m_v); }
    Error&& error() && { return std::get<1>(std::move(m_v)); }

private:
    std::variant<T, Error> m_v;
};

struct Unit {};
using Status = Result<Unit>;
inline Status okStatus() { return Status(Unit{}); }

} // namespace condense

// Propagate an error from an expression returning Result<...>.
#define CONDENSE_TRY(expr)                                                  \
    do {                                                                    \
        auto&& condense_try_r_ = (expr);                                    \
        if (!condense_try_r_.ok()) return std::move(condense_try_r_).error(); \
    } while (0)
