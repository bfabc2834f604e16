// The self-contained report page: the template (report.html) with the Vega libraries and the
// report's data inlined, so that it opens offline from any folder or e-mail attachment.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace xbar::report {

// Replaces the template's markers: `<!-- xbar:title -->` (HTML-escaped title),
// `<!-- xbar:script node_modules/PATH -->` (that file inside <script>) and
// `<!-- xbar:data -->` (the report as JSON). Throws InputError when an asset is missing.
std::string renderHtml(const nlohmann::json& report, const std::filesystem::path& assetDir);

// JSON that may sit inside <script> without ending it: "</" becomes "<\/" and "<!--"
// becomes "<\u0021--", which JSON reads back unchanged (they can only occur in strings).
std::string jsonScriptSafe(std::string json);

// JavaScript that may sit inside <script>: "</script" becomes "<\/script" (it can only occur
// in a string or regular expression, where both read the same). Throws InputError for "<!--",
// which would change how the HTML parser ends the script and cannot be escaped in code.
std::string javascriptScriptSafe(std::string code, const std::string& source);

std::string htmlEscaped(const std::string& text);

}  // namespace xbar::report
