#include "core/tokenizer/sentencepiece_model.h"

#include <cstring>

#include "core/io/mapped_file.h"

namespace condense::tokenizer {

namespace {

enum WireType : std::uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 };

// Bounds-checked cursor over one message's bytes.
class ProtoReader {
public:
    ProtoReader(const std::byte* p, std::size_t n, std::size_t base, const std::string& label)
        : m_p(p), m_n(n), m_base(base), m_label(label) {}

    bool done() const { return m_pos >= m_n; }

    Status varint(std::uint64_t& out)
    {
        out = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_n) return err(ErrorCode::Truncated, "varint runs past the end of its message");
            const auto b = static_cast<std::uint8_t>(m_p[m_pos++]);
            out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return okStatus();
        }
        return err(ErrorCode::Malformed, "varint longer than 10 bytes");
    }

    Status key(std::uint32_t& field, std::uint32_t& wire)
    {
        std::uint64_t k = 0;
        CONDENSE_TRY(varint(k));
        field = static_cast<std::uint32_t>(k >> 3);
        wire = static_cast<std::uint32_t>(k & 7);
        if (field == 0 || k >> 3 > 0x1fffffffu) return err(ErrorCode::Malformed, "invalid protobuf field number");
        return okStatus();
    }

    Status bytes(std::span<const std::byte>& out)
    {
        std::uint64_t len = 0;
        CONDENSE_TRY(varint(len));
        if (len > m_n - m_pos)
            return err(ErrorCode::OutOfRange, "length " + std::to_string(len) + " exceeds the " + std::to_string(m_n - m_pos) + " bytes left in its message");
        out = {m_p + m_pos, static_cast<std::size_t>(len)};
        m_pos += static_cast<std::size_t>(len);
        return okStatus();
    }

    Status fixed32(std::uint32_t& out)
    {
        if (m_n - m_pos < 4) return err(ErrorCode::Truncated, "32-bit field runs past the end of its message");
        std::memcpy(&out, m_p + m_pos, 4);
        m_pos += 4;
        return okStatus();
    }

    Status skip(std::uint32_t wire)
    {
        switch (wire) {
        case Varint: { std::uint64_t v; return varint(v); }
        case Fixed64:
            if (m_n - m_pos < 8) return err(ErrorCode::Truncated, "64-bit field runs past the end of its message");
            m_pos += 8;
            return okStatus();
        case LengthDelimited: { std::span<const std::byte> s; return bytes(s); }
        case Fixed32: { std::uint32_t v; return fixed32(v); }
        default: return err(ErrorCode::Malformed, "unsupported protobuf wire type " + std::to_string(wire));
        }
    }

    // Reads a field of the expected wire type, or fails.
    Status expect(std::uint32_t wire, std::uint32_t want, const char* what)
    {
        if (wire != want) return err(ErrorCode::Malformed, std::string(what) + " has wire type " + std::to_string(wire) + ", expected " + std::to_string(want));
        return okStatus();
    }

    std::size_t absolute(std::span<const std::byte> s) const { return m_base + static_cast<std::size_t>(s.data() - m_p); }
    std::size_t offset() const { return m_base + m_pos; }

    Error err(ErrorCode c, std::string detail) const
    {
        return makeError(c, m_label, std::move(detail), static_cast<std::int64_t>(m_base + m_pos));
    }

private:
    const std::byte* m_p;
    std::size_t m_n;
    std::size_t m_pos = 0;
    std::size_t m_base;
    const std::string& m_label;
};

std::string toString(std::span<const std::byte> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

Status readBool(ProtoReader& r, std::uint32_t wire, bool& out, const char* what)
{
    CONDENSE_TRY(r.expect(wire, Varint, what));
    std::uint64_t v = 0;
    CONDENSE_TRY(r.varint(v));
    out = v != 0;
    return okStatus();
}

Status readInt32(ProtoReader& r, std::uint32_t wire, std::int32_t& out, const char* what)
{
    CONDENSE_TRY(r.expect(wire, Varint, what));
    std::uint64_t v = 0;
    CONDENSE_TRY(r.varint(v));
    out = static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); // negative int32 is sign-extended to 10 bytes
    return okStatus();
}

Status readString(ProtoReader& r, std::uint32_t wire, std::string& out, const char* what)
{
    CONDENSE_TRY(r.expect(wire, LengthDelimited, what));
    std::span<const std::byte> s;
    CONDENSE_TRY(r.bytes(s));
    out = toString(s);
    return okStatus();
}

Status parsePiece(ProtoReader r, SpPiece& p)
{
    while (!r.done()) {
        std::uint32_t f = 0, w = 0;
        CONDENSE_TRY(r.key(f, w));
        if (f == 1) {
            CONDENSE_TRY(readString(r, w, p.piece, "piece"));
        } else if (f == 2) {
            CONDENSE_TRY(r.expect(w, Fixed32, "score"));
            std::uint32_t bits = 0;
            CONDENSE_TRY(r.fixed32(bits));
            std::memcpy(&p.score, &bits, 4);
        } else if (f == 3) {
            std::int32_t t = 0;
            CONDENSE_TRY(readInt32(r, w, t, "piece type"));
            if (t < 1 || t > 6) return r.err(ErrorCode::Malformed, "unknown piece type " + std::to_string(t));
            p.type = static_cast<SpPieceType>(t);
        } else {
            CONDENSE_TRY(r.skip(w));
        }
    }
    return okStatus();
}

Status parseTrainer(ProtoReader r, SentencePieceModel& m)
{
    while (!r.done()) {
        std::uint32_t f = 0, w = 0;
        CONDENSE_TRY(r.key(f, w));
        switch (f) {
        case 3: { std::int32_t t = 1; CONDENSE_TRY(readInt32(r, w, t, "model_type")); m.modelType = t; break; }
        case 4: CONDENSE_TRY(readInt32(r, w, m.vocabSize, "vocab_size")); break;
        case 24: CONDENSE_TRY(readBool(r, w, m.treatWhitespaceAsSuffix, "treat_whitespace_as_suffix")); break;
        case 25: CONDENSE_TRY(readBool(r, w, m.splitDigits, "split_digits")); break;
        case 35: CONDENSE_TRY(readBool(r, w, m.byteFallback, "byte_fallback")); break;
        case 40: CONDENSE_TRY(readInt32(r, w, m.unkId, "unk_id")); break;
        case 41: CONDENSE_TRY(readInt32(r, w, m.bosId, "bos_id")); break;
        case 42: CONDENSE_TRY(readInt32(r, w, m.eosId, "eos_id")); break;
        case 43: CONDENSE_TRY(readInt32(r, w, m.padId, "pad_id")); break;
        case 45: CONDENSE_TRY(readString(r, w, m.unkPiece, "unk_piece")); break;
        case 46: CONDENSE_TRY(readString(r, w, m.bosPiece, "bos_piece")); break;
        case 47: CONDENSE_TRY(readString(r, w, m.eosPiece, "eos_piece")); break;
        case 48: CONDENSE_TRY(readString(r, w, m.padPiece, "pad_piece")); break;
        default: CONDENSE_TRY(r.skip(w)); break;
        }
    }
    return okStatus();
}

Status parseNormalizer(ProtoReader r, SentencePieceModel& m)
{
    while (!r.done()) {
        std::uint32_t f = 0, w = 0;
        CONDENSE_TRY(r.key(f, w));
        switch (f) {
        case 1: CONDENSE_TRY(readString(r, w, m.normalizerName, "normalizer name")); break;
        case 2: CONDENSE_TRY(readString(r, w, m.precompiledCharsmap, "precompiled_charsmap")); break;
        case 3: CONDENSE_TRY(readBool(r, w, m.addDummyPrefix, "add_dummy_prefix")); break;
        case 4: CONDENSE_TRY(readBool(r, w, m.removeExtraWhitespaces, "remove_extra_whitespaces")); break;
        case 5: CONDENSE_TRY(readBool(r, w, m.escapeWhitespaces, "escape_whitespaces")); break;
        default: CONDENSE_TRY(r.skip(w)); break;
        }
    }
    return okStatus();
}

} // namespace

Result<SentencePieceModel> parseSentencePieceModel(std::span<const std::byte> bytes, const std::string& label)
{
    SentencePieceModel m;
    ProtoReader r(bytes.data(), bytes.size(), 0, label);
    while (!r.done()) {
        std::uint32_t f = 0, w = 0;
        CONDENSE_TRY(r.key(f, w));
        if (f == 1 || f == 2 || f == 3) {
            CONDENSE_TRY(r.expect(w, LengthDelimited, "ModelProto field"));
            std::span<const std::byte> s;
            CONDENSE_TRY(r.bytes(s));
            ProtoReader sub(s.data(), s.size(), r.absolute(s), label);
            if (f == 1) {
                SpPiece p;
                CONDENSE_TRY(parsePiece(sub, p));
                m.pieces.push_back(std::move(p));
            } else if (f == 2) {
                CONDENSE_TRY(parseTrainer(sub, m));
            } else {
                CONDENSE_TRY(parseNormalizer(sub, m));
            }
        } else {
            CONDENSE_TRY(r.skip(w));
        }
    }
    if (m.pieces.empty()) return makeError(ErrorCode::Malformed, label, "SentencePiece model holds no pieces");
    for (std::size_t i = 0; i < m.pieces.size(); ++i)
        if (m.pieces[i].piece.empty())
            return makeError(ErrorCode::Malformed, label, "piece " + std::to_string(i) + " is empty");
    return m;
}

Result<SentencePieceModel> readSentencePieceModel(const std::filesystem::path& path)
{
    auto f = io::MappedFile::open(path);
    if (!f) return std::move(f).error();
    constexpr std::uint64_t kLimit = 1ull << 30;
    if ((*f)->size() > kLimit)
        return makeError(ErrorCode::OutOfRange, path.string(), "file is " + std::to_string((*f)->size()) + " bytes, more than a SentencePiece model can reasonably be");
    return parseSentencePieceModel((*f)->bytes(), path.string());
}

} // namespace condense::tokenizer
