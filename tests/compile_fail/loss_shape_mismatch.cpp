// expect: ctnn::loss: prediction, target and gradient must all have the same [batch][size] shape
#include <ctnn/train/losses.hpp>

float run() {
    const float pred[4][3]{}, target[4][2]{};
    return ctnn::loss::mse::value(pred, target);
}
