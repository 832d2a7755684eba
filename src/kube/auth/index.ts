export { createAuthReviewer } from './reviews.js';
export type { AuthReviewer, ReviewedUser } from './reviews.js';
