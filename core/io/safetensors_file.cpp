#include "core/io/safetensors_file.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/io/error_text.h"

namespace condense::io {

namespace {
constexpr std::uint64_t kMaxHeader = 100'000'000; // safetensors MAX_HEADER_SIZE
} // namespace

Result<std::shared_ptr<const SafetensorsFile>> SafetensorsFile::open(const std::filesystem::path& path)
{
    auto f = MappedFile::open(path);
    if (!f) return std::move(f).error();
    return parse(std::move(*f));
}

Result<std::shared_ptr<const SafetensorsFile>> SafetensorsFile::parse(std::shared_ptr<const MappedFile> file)
{
    const std::string& p = file->path();
    const std::uint64_t size = file->size();
    auto fail = [&](ErrorCode c, std::string d, std::int64_t off = -1) { return makeError(c, p, std::move(d), off); };
    if (size < 8) return fail(ErrorCode::Truncated, "file is " + std::to_string(size) + " bytes, too small for a safetensors header");
    std::uint64_t n = 0;
    std::memcpy(&n, file->data(), 8);
    if (n > kMaxHeader) return fail(ErrorCode::OutOfRange, "header length " + std::to_string(n) + " exceeds the 100 MB limit", 0);
    if (n > size - 8) return fail(ErrorCode::Truncated, "header length " + std::to_string(n) + " exceeds the " + std::to_string(size - 8) + " bytes that follow it", 0);
    if (n < 2) return fail(ErrorCode::Malformed, "header is too short to be JSON", 8);
    const char* h = reinterpret_cast<const char*>(file->data() + 8);
    if (h[0] != '{') return fail(ErrorCode::Malformed, "header does not start with '{'", 8);

    nlohmann::json j;
    std::vector<std::string> seen;
    try {
        // The callback sees top-level keys so duplicates (which a JSON object would silently
        // collapse) are refused, as the reference reader does.
        j = nlohmann::json::parse(h, h + n, [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
            if (ev == nlohmann::json::parse_event_t::key && depth == 1) {
                seen.push_back(parsed.get<std::string>());
            }
            return true;
        }); // rejects invalid UTF-8
    } catch (const nlohmann::json::exception& e) {
        return fail(ErrorCode::Malformed, std::string("invalid JSON header: ") + printableText(e.what()), 8);
    }
    if (!j.is_object()) return fail(ErrorCode::Malformed, "header is not a JSON object", 8);
    std::sort(seen.begin(), seen.end());
    if (auto d = std::adjacent_find(seen.begin(), seen.end()); d != seen.end())
        return fail(ErrorCode::Malformed, "duplicate tensor name " + quotedName(*d) + " in header", 8);

    auto st = std::make_shared<SafetensorsFile>();
    st->m_file = file;
    st->m_dataOffset = 8 + n;
    const std::uint64_t bufSize = size - st->m_dataOffset;

    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        const std::string qn = quotedName(name);
        const auto& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) return fail(ErrorCode::Malformed, "__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string()) return fail(ErrorCode::Malformed, "__metadata__ value " + quotedName(m.key()) + " is not a string");
                st->m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            return fail(ErrorCode::Malformed, "tensor " + qn + " lacks dtype, shape or data_offsets");
        const auto& jd = v["dtype"];
        const auto& js = v["shape"];
        const auto& jo = v["data_offsets"];
        if (!jd.is_string()) return fail(ErrorCode::Malformed, "tensor " + qn + ": dtype is not a string");
        SafetensorsTensor t;
        t.name = name;
        const auto dt = dtypeFromSafetensors(jd.get<std::string>());
        if (!dt) return fail(ErrorCode::UnsupportedType, "tensor " + qn + " has unsupported dtype " + quotedName(jd.get<std::string>()));
        t.dtype = *dt;
        if (!js.is_array() || js.size() > 8) return fail(ErrorCode::Malformed, "tensor " + qn + ": shape is not an array of at most 8 dimensions");
        std::uint64_t elements = 1;
        for (const auto& d : js) {
            if (!d.is_number_unsigned()) return fail(ErrorCode::Malformed, "tensor " + qn + ": shape holds a value that is not a non-negative integer");
            const auto dim = d.get<std::uint64_t>();
            const auto m = checkedMul(elements, dim);
            if (!m) return fail(ErrorCode::Overflow, "tensor " + qn + ": element count overflows 64 bits");
            elements = *m;
            t.shape.push_back(dim);
        }
        if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_unsigned() || !jo[1].is_number_unsigned())
            return fail(ErrorCode::Malformed, "tensor " + qn + ": data_offsets is not [begin, end]");
        t.begin = jo[0].get<std::uint64_t>();
        t.end = jo[1].get<std::uint64_t>();
        if (t.end < t.begin) return fail(ErrorCode::Malformed, "tensor " + qn + ": data_offsets end before begin");
        const auto expect = checkedMul(elements, dtypeTraits(t.dtype)->blockBytes);
        if (!expect) return fail(ErrorCode::Overflow, "tensor " + qn + ": byte size overflows 64 bits");
        if (*expect != t.bytes())
            return fail(ErrorCode::Malformed, "tensor " + qn + ": shape needs " + std::to_string(*expect) + " bytes but data_offsets span " + std::to_string(t.bytes()));
        st->m_tensors.push_back(std::move(t));
    }

    // Every tensor inside the buffer, checked in offset order: a file cut short reports the
    // tensor it was cut in (Truncated); data placed far beyond the end is OutOfRange.
    std::vector<const SafetensorsTensor*> byOffset;
    for (const auto& t : st->m_tensors) byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(), [](auto* a, auto* b) { return a->begin < b->begin || (a->begin == b->begin && a->end < b->end); });
    for (const SafetensorsTensor* t : byOffset) {
        if (t->end <= bufSize) continue;
        const std::string range = "[" + std::to_string(t->begin) + ", " + std::to_string(t->end) + ")";
        if (t->begin <= bufSize)
            return fail(ErrorCode::Truncated, "file ends inside the data of tensor " + quotedName(t->name) + " " + range + ": the buffer has only " + std::to_string(bufSize) + " bytes");
        return fail(ErrorCode::OutOfRange, "tensor " + quotedName(t->name) + " data " + range + " lies beyond the end of the file (buffer is " + std::to_string(bufSize) + " bytes)");
    }
    // No two tensors share bytes.
    for (std::size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i]->begin < byOffset[i - 1]->end && byOffset[i]->bytes() > 0)
            return fail(ErrorCode::Malformed, "tensors " + quotedName(byOffset[i - 1]->name) + " and " + quotedName(byOffset[i]->name) + " overlap");
    // nlohmann orders object keys alphabetically: the tensor order is by name, as the
    // Python safetensors API (and llama.cpp's converter) iterates them.
    return std::shared_ptr<const SafetensorsFile>(std::move(st));
}

std::span<const std::byte> SafetensorsFile::tensorData(std::size_t index) const
{
    const auto& t = m_tensors.at(index);
    return {m_file->data() + m_dataOffset + t.begin, static_cast<std::size_t>(t.bytes())};
}

} // namespace condense::io
