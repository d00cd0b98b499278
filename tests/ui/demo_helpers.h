// Small lookups the widget tests share: the demo document's items by kind.
#pragma once

#include <variant>

#include "lanterna/timeline/document.h"

namespace lanterna::ui::testing {

template <class Payload>
timeline::ItemId firstItemOf(const timeline::Document& document) {
  for (const timeline::Item& item : document.snapshot().items)
    if (std::holds_alternative<Payload>(item.payload)) return item.id;
  return 0;
}

template <class Payload>
int countOf(const timeline::Document& document) {
  int count = 0;
  for (const timeline::Item& item : document.snapshot().items) count += std::holds_alternative<Payload>(item.payload);
  return count;
}

}  // namespace lanterna::ui::testing
