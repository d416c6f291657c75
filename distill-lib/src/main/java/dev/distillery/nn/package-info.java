/**
 * Models as modules. A {@link dev.distillery.nn.Module} owns its parameters (each with its shape
 * and {@link dev.distillery.nn.Init}ialisation), its sub-modules and its forward pass on the
 * autograd tape; a model is a composition of modules, and a parameter's name is its path from the
 * root: {@code blocks.0.attn.q.weight}, {@code layers.1.bias}, {@code heads.mix}.
 *
 * <p>The building blocks: {@link dev.distillery.nn.Linear}, {@link dev.distillery.nn.Conv2d},
 * {@link dev.distillery.nn.MaxPool2d}, {@link dev.distillery.nn.LayerNorm},
 * {@link dev.distillery.nn.MultiHeadAttention}, {@link dev.distillery.nn.FeedForward},
 * {@link dev.distillery.nn.TransformerBlock}, the embeddings
 * ({@link dev.distillery.nn.TokenEmbedding}, {@link dev.distillery.nn.PatchEmbedding},
 * {@link dev.distillery.nn.FrameEmbedding}), {@link dev.distillery.nn.TimeReduction},
 * {@link dev.distillery.nn.MeanPooling}, {@link dev.distillery.nn.Dropout},
 * {@link dev.distillery.nn.ClassifierHead} and {@link dev.distillery.nn.MultiHeadClassifier}. The
 * three families compose them: {@link dev.distillery.nn.MlpModel},
 * {@link dev.distillery.nn.CnnModel} and {@link dev.distillery.nn.TransformerModel}, which
 * {@code ModelSpec.compose()} builds from a spec.
 *
 * <p>Every module's structure is data, not closures: {@link dev.distillery.nn.Module#type()},
 * {@link dev.distillery.nn.Module#settings()} (its hyper-parameters),
 * {@link dev.distillery.nn.Module#children()} and {@link dev.distillery.nn.Module#ownParameters()};
 * {@link dev.distillery.nn.Module#tree()} prints them. A new module declares its parts in its
 * constructor, in the order they are to be initialised, and reads their values in its forward pass
 * (import {@code dev.distillery.nn.Module} by name: a wildcard import leaves it ambiguous with
 * {@code java.lang.Module}):
 *
 * <pre>{@code
 * final class Residual extends Module implements Layer {
 *     private final Linear inner;
 *
 *     Residual(long width) {
 *         inner = child("inner", new Linear(width, width, Init.xavier(width, width)));
 *     }
 *
 *     public Var forward(Forward f, Var x) {
 *         return x.add(inner.forward(f, x));
 *     }
 *
 *     public Map<String, Object> settings() {
 *         return ordered("width", inner.settings().get("in"));
 *     }
 * }
 * }</pre>
 *
 * <p>A network built from a model ({@code Network.build}) draws every parameter in declaration
 * order from one stream of its seed, so a seed gives the same initial weights on every run.
 *
 * <p>May import: backend, tensor.
 */
package dev.distillery.nn;
