#include "core/tokenizer/spm_tokenizer.h"

#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81"; // U+2581, sentencepiece's whitespace symbol

TokenAttr attrOf(SpPieceType t)
{
    switch (t) {
    case SpPieceType::Unknown: return TokenAttr::Unknown;
    case SpPieceType::Control: return TokenAttr::Control;
    case SpPieceType::UserDefined: return TokenAttr::UserDefined;
    case SpPieceType::Unused: return TokenAttr::Unused;
    case SpPieceType::Byte: return TokenAttr::Byte;
    default: return TokenAttr::Normal;
    }
}

const char* modelTypeName(int t)
{
    switch (t) {
    case 1: return "Unigram";
    case 2: return "BPE";
    case 3: return "Word";
    case 4: return "Char";
    default: return "unknown";
    }
}

void escapeSpaces(std::string_view text, std::string& out)
{
    for (const char c : text) {
        if (c == ' ') out += kSpace;
        else out += c;
    }
}

} // namespace

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromSentencePiece(const SentencePieceModel& model, const std::string& file,
                                                                       std::optional<bool> addBos, std::optional<bool> addEos)
{
    if (model.modelType != 2)
        return makeError(ErrorCode::UnsupportedFormat, file,
                         std::string("tokenizer.model holds a SentencePiece ") + modelTypeName(model.modelType) +
                             " model; only SentencePiece BPE models are supported");
    std::unique_ptr<SpmTokenizer> t(new SpmTokenizer());
    t->m_source = TokenizerSource::SentencePieceModel;
    t->m_file = file;
    std::vector<float> scores;
    std::int32_t unk = -1;
    int byteCount = 0;
    for (std::size_t i = 0; i < model.pieces.size(); ++i) {
        const auto& p = model.pieces[i];
        t->m_pieces.push_back(p.piece);
        t->m_attrs.push_back(attrOf(p.type));
        scores.push_back(p.score);
        if (p.type == SpPieceType::Unknown) {
            if (unk >= 0) return makeError(ErrorCode::Malformed, file, "SentencePiece model defines more than one unknown piece");
            unk = static_cast<std::int32_t>(i);
        }
        if (p.type == SpPieceType::Byte) ++byteCount;
    }
    if (unk < 0) return makeError(ErrorCode::Malformed, file, "SentencePiece model has no unknown piece");
    if (model.byteFallback && byteCount < 256)
        return makeError(ErrorCode::Malformed, file, "byte_fallback is set but the model has " + std::to_string(byteCount) + " of the 256 byte pieces");
    auto charsmap = PrecompiledCharsmap::parse(model.precompiledCharsmap, file);
    if (!charsmap) return std::move(charsmap).error();
    t->m_charsmap = std::move(*charsmap);
    t->m_bpe = std::make_unique<SentencePieceBpe>(t->m_pieces, scores, t->m_attrs, unk, model.byteFallback,
                                                  SentencePieceBpe::Flavor::SentencePiece);
    // sentencepiece's bos_id() etc. look the trainer's piece names up.
    const auto idOf = [&](const std::string& piece) {
        const std::int32_t id = t->m_bpe->find(piece);
        return id;
    };
    t->m_unk = unk;
    t->m_bos = idOf(model.bosPiece);
    t->m_eos = idOf(model.eosPiece);
    t->m_pad = idOf(model.padPiece);
    t->m_addBos = addBos.value_or(true) && t->m_bos >= 0;
    t->m_addEos = addEos.value_or(false) && t->m_eos >= 0;
    t->m_addDummyPrefix = model.addDummyPrefix;
    t->m_removeExtraWhitespaces = model.removeExtraWhitespaces;
    t->m_escapeWhitespaces = model.escapeWhitespaces;
    t->m_treatWhitespaceAsSuffix = model.treatWhitespaceAsSuffix;

    // Special-text parsing (not a sentencepiece feature): control and unknown pieces.
    std::vector<SpecialTokenSplitter::Entry> entries;
    for (std::size_t i = 0; i < t->m_pieces.size(); ++i)
        if (t->m_attrs[i] == TokenAttr::Control || t->m_attrs[i] == TokenAttr::Unknown)
            entries.push_back({t->m_pieces[i], static_cast<std::int32_t>(i), true});
    t->m_splitter = SpecialTokenSplitter(std::move(entries), SpecialTokenSplitter::Mode::LongestFirst);
    return t;
}

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromGguf(GgufVocab v, const std::string& file)
{
    std::unique_ptr<SpmTokenizer> t(new SpmTokenizer());
    t->m_source = TokenizerSource::GgufLlama;
    t->m_file = file;
    t->m_llama = true;
    const auto n = static_cast<std::int32_t>(v.pieces.size());
    const auto valid = [&](std::int32_t id) { return id >= 0 && id < n ? id : -1; };
    t->m_bos = valid(v.bos);
    t->m_eos = valid(v.eos);
    t->m_unk = valid(v.unk);
    t->m_pad = valid(v.pad);
    t->m_addBos = v.addBos && t->m_bos >= 0;
    t->m_addEos = v.addEos && t->m_eos >= 0;
    t->m_addDummyPrefix = v.addSpacePrefix;
    t->m_bpe = std::make_unique<SentencePieceBpe>(v.pieces, v.scores, v.attrs, t->m_unk, true, SentencePieceBpe::Flavor::LlamaCpp);
    std::vector<SpecialTokenSplitter::Entry> entries;
    for (std::int32_t i = 0; i < n; ++i) {
        const TokenAttr a = v.attrs[static_cast<std::size_t>(i)];
        if (a == TokenAttr::Control || a == TokenAttr::Unknown || a == TokenAttr::UserDefined)
            entries.push_back({v.pieces[static_cast<std::size_t>(i)], i, a != TokenAttr::UserDefined});
    }
    t->m_splitter = SpecialTokenSplitter(std::move(entries), SpecialTokenSplitter::Mode::LongestFirst);
    t->m_pieces = std::move(v.pieces);
    t->m_attrs = std::move(v.attrs);
    return t;
}

std::pair<std::string_view, std::size_t> SpmTokenizer::normalizePrefix(std::string_view input) const
{
    if (const std::size_t m = m_bpe->userDefined().match(input); m > 0) return {input.substr(0, m), m};
    std::size_t consumed = 0;
    const std::string_view rule = m_charsmap.longestMatch(input, consumed);
    if (consumed > 0) return {rule, consumed};
    const std::size_t n = utf8::validLength(input, 0);
    if (n == 0) return {utf8::kReplacement, 1};
    return {input.substr(0, n), n};
}

std::string SpmTokenizer::normalize(std::string_view input) const
{
    std::string out;
    if (m_llama) {
        if (m_addDummyPrefix && !input.empty()) out += kSpace;
        escapeSpaces(input, out);
        return out;
    }
    if (input.empty()) return out;
    if (m_removeExtraWhitespaces) {
        while (!input.empty()) {
            const auto p = normalizePrefix(input);
            if (p.first != " ") break;
            input.remove_prefix(p.second);
        }
        if (input.empty()) return out;
    }
    out.reserve(input.size() + input.size() / 4 + 3);
    const auto addWs = [&] {
        if (m_escapeWhitespaces) out += kSpace;
        else out += ' ';
    };
    if (!m_treatWhitespaceAsSuffix && m_addDummyPrefix) addWs();
    bool prevSpace = m_removeExtraWhitespaces;
    while (!input.empty()) {
        auto [sp, n] = normalizePrefix(input);
        while (prevSpace && !sp.empty() && sp.front() == ' ') sp.remove_prefix(1);
        if (!sp.empty()) {
            for (const char c : sp) {
                if (m_escapeWhitespaces && c == ' ') out += kSpace;
                else out += c;
            }
            prevSpace = sp.back() == ' ';
        }
        input.remove_prefix(n);
        if (!m_removeExtraWhitespaces) prevSpace = false;
    }
    if (m_removeExtraWhitespaces) {
        const std::string_view space = m_escapeWhitespaces ? kSpace : std::string_view(" ");
        while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space)
            out.resize(out.size() - space.size());
    }
    if (m_treatWhitespaceAsSuffix && m_addDummyPrefix) addWs();
    return out;
}

std::vector<std::int32_t> SpmTokenizer::encode(std::string_view text, bool addSpecial, bool parseSpecial) const
{
    std::vector<std::int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (addSpecial && m_addBos) out.push_back(m_bos);
    std::vector<TextSegment> segments;
    if (m_llama || parseSpecial) {
        m_splitter.split(text, parseSpecial, segments);
    } else if (!text.empty()) {
        segments.push_back(TextSegment{0, text.size(), -1});
    }
    for (const TextSegment& s : segments) {
        if (s.token >= 0) {
            out.push_back(s.token);
            continue;
        }
        const std::string normalized = normalize(text.substr(s.begin, s.end - s.begin));
        m_bpe->encode(normalized, out);
    }
    if (addSpecial && m_addEos) out.push_back(m_eos);
    return out;
}

std::string SpmTokenizer::decode(std::span<const std::int32_t> ids, bool skipSpecial) const
{
    std::string text;
    std::string bytes;
    const auto flushBytes = [&] {
        if (bytes.empty()) return;
        if (m_llama) text += bytes;
        else text += utf8::sanitize(bytes);
        bytes.clear();
    };
    bool expectBosWs = true, bosWsSeen = false;
    const bool stripFirst = m_addDummyPrefix || m_removeExtraWhitespaces;
    for (const std::int32_t id : ids) {
        if (id < 0 || id >= vocabSize()) continue;
        const auto i = static_cast<std::size_t>(id);
        const std::string& piece = m_pieces[i];
        const TokenAttr a = m_attrs[i];
        if (a == TokenAttr::Byte) {
            const int b = byteTokenValue(piece);
            if (b >= 0) {
                bytes += static_cast<char>(b);
                continue;
            }
        }
        flushBytes();
        if (bosWsSeen || !text.empty()) expectBosWs = false;
        if (a == TokenAttr::Control || a == TokenAttr::Unknown) {
            bosWsSeen = false;
            if (!skipSpecial) text += piece;
            continue;
        }
        if (m_llama && a == TokenAttr::UserDefined) { // llama.cpp's token_to_piece: as it is
            bosWsSeen = false;
            text += piece;
            continue;
        }
        std::string_view p = piece;
        bosWsSeen = false;
        if (expectBosWs && stripFirst && p.substr(0, kSpace.size()) == kSpace) {
            p.remove_prefix(kSpace.size());
            bosWsSeen = !m_removeExtraWhitespaces;
        }
        for (std::size_t k = 0; k < p.size();) {
            if (p.compare(k, kSpace.size(), kSpace) == 0) {
                text += ' ';
                k += kSpace.size();
            } else {
                text += p[k++];
            }
        }
    }
    flushBytes();
    return text;
}

} // namespace condense::tokenizer
