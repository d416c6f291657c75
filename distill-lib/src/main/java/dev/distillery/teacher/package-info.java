/**
 * Teachers: a trained {@link dev.distillery.teacher.Teacher} (a network or an ONNX model) and how it
 * is made ({@link dev.distillery.teacher.Teachers}, multi-task teachers), weighted
 * {@link dev.distillery.teacher.Ensemble}s, pretrained ONNX encoders from the
 * {@link dev.distillery.teacher.PretrainedEncoders} registry run by ONNX Runtime (text encoders from
 * Maven jars, the speech teacher {@link dev.distillery.teacher.SpeechEmbedding} from npm), and the on-disk
 * {@link dev.distillery.teacher.TeacherCache} of teacher outputs.
 *
 * <p>May import: data, eval, loss, model, nn, provenance, registry, spec, tensor, train.
 */
package dev.distillery.teacher;
