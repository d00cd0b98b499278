// What a request…() on the Document returns: success (with the id it created, if any) or a refusal with a reason
// a person can read. A refused edit leaves the document untouched. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace lanterna::timeline {

struct EditResult {
  bool ok = false;
  std::string reason;          // why it was refused; empty on success
  std::int64_t createdId = 0;  // new track or item id, 0 when the edit created nothing

  static EditResult success(std::int64_t created = 0) { return EditResult{true, {}, created}; }
  static EditResult refused(std::string why) { return EditResult{false, std::move(why), 0}; }
  explicit operator bool() const { return ok; }
};

}  // namespace lanterna::timeline
