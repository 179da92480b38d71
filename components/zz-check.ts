const x: number = "s"; export default x;
