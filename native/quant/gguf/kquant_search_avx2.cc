#include "quant/gguf/kquant_search.h"
namespace mcs::gguf::kq {
const Searches& searches_avx2() { return searches_ref(); }
}
