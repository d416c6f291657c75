/**
 * The one registry type: the known things of a kind (losses, feature terms, projections, data sets,
 * pretrained teachers), each with a name, aliases, a description and parameters, from which help
 * texts, "unknown name" errors and the README's lists are generated.
 *
 * <p>May import: nothing else of Distillery.
 */
package dev.distillery.registry;
