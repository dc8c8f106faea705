#include "core/common/result.h"

namespace condense {

const char* errorCodeName(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::IoError: return "I/O error";
    case ErrorCode::DiskFull: return "disk full";
    case ErrorCode::Truncated: return "file is truncated";
    case ErrorCode::BadMagic: return "wrong file signature";
    case ErrorCode::UnsupportedVersion: return "unsupported version";
    case ErrorCode::Malformed: return "malformed file";
    case ErrorCode::OutOfRange: return "data out of range";
    case ErrorCode::Overflow: return "size overflow";
    case ErrorCode::UnsupportedType: return "unsupported data type";
    case ErrorCode::UnsupportedFormat: return "unsupported format";
    case ErrorCode::PickleRefused: return "pickle checkpoints are not loaded";
    case ErrorCode::UnsupportedArchitecture: return "unsupported architecture";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::MissingTensor: return "missing tensor";
    case ErrorCode::MissingTokenizer: return "missing tokenizer";
    }
    return "error";
}

std::string describe(const Error& e)
{
    std::string s = errorCodeName(e.code);
    if (!e.detail.empty()) {
        s += ": ";
        s += e.detail;
    }
    if (!e.tensor.empty()) {
        s += " (tensor ";
        s += e.tensor;
        s += ')';
    }
    if (e.offset >= 0) {
        s += " at byte ";
        s += std::to_string(e.offset);
    }
    return s;
}

} // namespace condense
