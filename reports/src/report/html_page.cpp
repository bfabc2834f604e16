#include "xbar/report/html_page.h"

#include <cctype>

#include <fmt/format.h>

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::report {

namespace {

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

std::string jsonScriptSafe(std::string json) {
  return replaceAll(replaceAll(std::move(json), "</", "<\\/"), "<!--", "<\\u0021--");
}

std::string javascriptScriptSafe(std::string code, const std::string& source) {
  if (code.find("<!--") != std::string::npos)
    failInput(source, "contains '<!--', which cannot be inlined into a <script>");
  for (size_t at = 0; (at = code.find("</", at)) != std::string::npos; at += 2) {
    std::string name = code.substr(at + 2, 6);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "script") code.insert(at + 1, 1, '\\');
  }
  return code;
}

std::string htmlEscaped(const std::string& text) {
  std::string out;
  for (char c : text) switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  return out;
}

std::string renderHtml(const nlohmann::json& report, const std::filesystem::path& assetDir) {
  const std::filesystem::path templateFile = assetDir / "report.html";
  if (!std::filesystem::is_regular_file(templateFile))
    failInput(templateFile.string(),
              "the report template is missing; build the report_assets target (make build) or "
              "set XBAR_REPORT_ASSETS to its directory");
  const std::string page = readFile(templateFile);
  std::string out;
  out.reserve(page.size() + (1 << 20));
  const std::string open = "<!-- xbar:", close = " -->";
  size_t at = 0;
  for (size_t marker; (marker = page.find(open, at)) != std::string::npos;) {
    const size_t end = page.find(close, marker);
    if (end == std::string::npos) failInput(templateFile.string(), "unterminated xbar marker");
    out.append(page, at, marker - at);
    const std::string what = page.substr(marker + open.size(), end - marker - open.size());
    if (what == "title") {
      out += htmlEscaped(report.value("title", std::string("xbar report")));
    } else if (what == "data") {
      out += "<script type=\"application/json\" id=\"xbar-report\">";
      out += jsonScriptSafe(report.dump());
      out += "</script>";
    } else if (what.starts_with("script ")) {
      const std::filesystem::path asset = assetDir / what.substr(7);
      if (!std::filesystem::is_regular_file(asset))
        failInput(asset.string(),
                  "a report asset is missing; build the report_assets target (it runs npm ci) or "
                  "set XBAR_REPORT_ASSETS to its directory");
      out += "<script>";
      out += javascriptScriptSafe(readFile(asset), asset.string());
      out += "</script>";
    } else {
      failInput(templateFile.string(), "unknown marker '{}'", what);
    }
    at = end + close.size();
  }
  out.append(page, at, std::string::npos);
  return out;
}

}  // namespace xbar::report
