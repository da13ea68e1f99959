// ctnn::model_error: what reading or writing a model file throws. Its message is one line, "<file>: <field>: <what>",
// e.g. "net.ctnn.json: layers[1].out: the file has 32, the network type has 16".
#pragma once

#include <stdexcept>

namespace ctnn {

struct model_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace ctnn
