#include "app/cli_tokenize.h"
#include "app/cli_output.h"

#include <iostream>
#include <stop_token>

#include <nlohmann/json.hpp>

#include "core/io/error_text.h"
#include "core/pipeline/tokenize_job.h"

namespace condense::cli {

int runTokenize(const TokenizeOptions& o)
{
    pipeline::TokenizeRequest request;
    request.model = o.model;
    request.special = !o.noSpecial;
    if (o.file) request.file = *o.file;
    else request.text = o.text.value_or(std::string());

    jobs::NullSink sink;
    auto result = pipeline::runTokenize(request, sink, std::stop_token());
    if (!result) return fail(result.error());

    if (o.json) {
        using Json = nlohmann::json;
        Json j;
        j["ids"] = result->ids;
        Json& pieces = j["pieces"] = Json::array();
        for (const std::string& piece : result->validPieces) pieces.push_back(piece);
        std::cout << j.dump() << '\n';
        return 0;
    }
    std::string out;
    for (std::size_t i = 0; i < result->ids.size(); ++i) {
        const std::string& piece = result->pieces[i];
        out += std::to_string(result->ids[i]);
        out += '\t';
        out += io::printableText(piece, piece.size());
        out += '\n';
    }
    std::cout << out;
    return 0;
}

} // namespace condense::cli
