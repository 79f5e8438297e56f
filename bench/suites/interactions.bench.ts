export { default } from "../../server/interactions/interactions.bench";
