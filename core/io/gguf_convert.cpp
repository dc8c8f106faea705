// Placeholder replaced by the converter implementation (in progress).
#include "core/io/gguf_convert.h"

namespace condense::io {
Result<ConvertReport> convertToGguf(const Checkpoint& input, const std::filesystem::path&, const ConvertConfig&,
                                    jobs::ProgressSink&, std::stop_token)
{
    return makeError(ErrorCode::InvalidArgument, input.path().string(), "conversion not available yet");
}
} // namespace condense::io
