/** gankit: GAN losses exactly as in the papers, on a TensorFlow.js engine with correct second-order gradients. */
export * from './engine/index.js';
export * from './losses/index.js';
